// Builds the query page's third-party assets into kg/static/vendor/ (run by `make install`):
//
//   yasgui.min.js / yasgui.min.css  YASGUI (@zazuko/yasgui, MIT): the YASQE editor (CodeMirror 5,
//                                   SPARQL highlighting, completion) and the YASR results viewer
//                                   (DataTables: sorting, paging). kg/static/app.js configures
//                                   them to talk to this server only.
//   LICENSES.txt                    name, version and licence of every npm package bundled in them.
//
// The bundle is copied as published, less its sourceMappingURL comment (the .map is not shipped,
// and a browser with developer tools open would otherwise ask the server for it).
import { copyFileSync, mkdirSync, readFileSync, readdirSync, existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const out = join(here, "..", "kg", "static", "vendor");
const yasgui = join(modules, "@zazuko", "yasgui");

const [major] = process.versions.node.split(".").map(Number);
if (major < 18) {
  console.error(`web/build.mjs: Node.js 18 or newer is needed (this is ${process.versions.node}).`);
  process.exit(1);
}
if (!existsSync(join(yasgui, "build", "yasgui.min.js"))) {
  console.error("web/build.mjs: @zazuko/yasgui is not installed; run `npm ci` in web/ first.");
  process.exit(1);
}

mkdirSync(out, { recursive: true });
const js = readFileSync(join(yasgui, "build", "yasgui.min.js"), "utf8").replace(
  /\n?\/\/# sourceMappingURL=\S+\s*$/,
  "\n",
);
writeFileSync(join(out, "yasgui.min.js"), js);
const css = readFileSync(join(yasgui, "build", "yasgui.min.css"), "utf8").replace(
  /\n?\/\*# sourceMappingURL=\S+ \*\/\s*$/,
  "\n",
);
writeFileSync(join(out, "yasgui.min.css"), css);

// Every package npm installed for it (the bundle inlines them), with its declared licence.
function packages(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith(".")) continue;
    if (name.startsWith("@")) {
      for (const sub of readdirSync(join(dir, name))) found.push(join(dir, name, sub));
    } else {
      found.push(join(dir, name));
    }
  }
  return found;
}
const lines = [
  "Third-party code in yasgui.min.js and yasgui.min.css, copied from npm by web/build.mjs.",
  "Each package's own licence text is in its npm package (web/node_modules/NAME after `npm ci`).",
  "",
];
for (const dir of packages(modules).sort()) {
  const manifest = join(dir, "package.json");
  if (!existsSync(manifest)) continue;
  const pkg = JSON.parse(readFileSync(manifest, "utf8"));
  const license = typeof pkg.license === "string" ? pkg.license : pkg.license?.type ?? "see package";
  lines.push(`${pkg.name}@${pkg.version}  ${license}`);
}
writeFileSync(join(out, "LICENSES.txt"), lines.join("\n") + "\n");

const size = (f) => readFileSync(join(out, f)).length;
console.log(
  `web/build.mjs: kg/static/vendor/ yasgui.min.js ${size("yasgui.min.js")} B, ` +
    `yasgui.min.css ${size("yasgui.min.css")} B (YASGUI ${JSON.parse(readFileSync(join(yasgui, "package.json"), "utf8")).version})`,
);
