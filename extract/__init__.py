"""Documents in, facts out: reading, repair, GiNZA parsing and rule-based extraction."""
