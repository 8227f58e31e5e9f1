"""The case core: the typed case, its store (a change and its events commit together), events, audit."""
