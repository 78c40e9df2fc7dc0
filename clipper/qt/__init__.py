"""The desktop app: the only package of Clipper that imports PySide6 (a thin layer over the core).

One module per concern:

- ``app``: ``main()`` (the ``clipper-gui`` entry point), QApplication, QSettings, start-up errors
- ``main_window``: the window; wires the parts below to ``clipper.Library``
- ``workers``: ``TaskRunner`` - one background thread per runner; the window has a *writer*
  (every vault change) and a *reader* (searches, note loading); results come back as signals
- ``search_box``: debounced search-as-you-type and a controller that drops stale answers
- ``results_model``: the result list's model (over plain hits) and its delegate
- ``tag_tree``, ``tag_editor``: the tag sidebar and the tag line of the selected notes
- ``note_view``: the safe preview; ``editor``: the Markdown editor (save, autosave, conflicts)
- ``importer``: what a drop or paste holds, and the batch import; ``fetch``: dropped links
- ``settings``, ``settings_dialog``, ``report_dialog``
"""
