"""bilateral-kg's data as a package (``bkg_data`` once installed): gazetteers, lexicons, patterns.

A non-editable install ships ``gazetteer/``, ``lexicon/`` and ``patterns/`` from here, so that an
installed extractor finds the same world knowledge and grammar as a checkout
(see ``extract/resources.py``).
"""
