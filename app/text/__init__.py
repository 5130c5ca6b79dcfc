"""Rules about text that every layer shares: no models, no Flask, no I/O.

`passages` finds a quoted passage in a section's Markdown (or in the text a page shows) and
carries passages through an edit; the services (re-anchoring, new comments), the exports
(Word comments) and the pages (highlights, a passage copied from the page) all use it.
"""
