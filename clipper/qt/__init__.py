"""The desktop app: the only package of Clipper that imports PySide6 (a thin layer over the core).

One module per concern:

- ``app``: ``main()`` (the ``clipper-gui`` entry point), QApplication, QSettings, start-up errors
- ``main_window``: the window; wires the parts below to ``clipper.Library``
- ``workers``: ``TaskRunner`` - one background thread per runner; the window has a *writer*
  (every vault change), a *reader* (searches, note loading) and a *renderer* (notes made
  ready to show); results come back as signals
- ``search_box``: debounced search-as-you-type, a controller that drops stale answers, and
  the rule that an article pasted into a one-line field is an import
- ``results_model``: the result list's model (over plain hits) and its delegate;
  ``snippet_filler``: snippets made for the rows the list shows (a search makes the first page's)
- ``tag_tree``, ``tag_editor``, ``tag_dialogs``: the tag sidebar, the tag line of the selected
  notes, the rename/merge and delete dialogs
- ``note_pane``: the right side (header, preview or editor, find bar); ``note_view``: the safe,
  bounded preview; ``editor`` (+ ``markdown_highlighter``): the Markdown editor with its live
  preview; ``find_bar``: find in the open note
- ``vault_watcher``: notes arriving from other programs (debounced, polled past the watch limit)
- ``message_bar``: messages and the undo bar in the window; ``theme``, ``icons``: light/dark
- ``importer``: what a drop or paste holds (the batch import and link fetching are the core's:
  ``clipper.core.imports``, ``clipper.core.fetch``)
- ``settings``, ``settings_dialog``, ``report_dialog``, ``instance``
"""
