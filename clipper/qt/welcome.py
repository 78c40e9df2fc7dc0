"""The welcome note a new vault starts with (its title and Markdown)."""

WELCOME_TITLE = "Welcome to Clipper"
WELCOME_MARKDOWN = """Clipper keeps web articles as clean Markdown notes in a folder on your computer \
and finds them again as you type.

## Add articles

- **Drop** saved pages (`.html`, `.mhtml`), Markdown or text files, or whole folders onto this window.
- **Drag** a selection or a link from your browser onto the window.
- **Paste** with **Ctrl+V**: an article copied from anywhere becomes a note, even while the search \
box has the cursor. *File → Import from clipboard* (**Ctrl+Shift+V**) does the same; \
*Import clipboard as plain text* keeps the text as copied (broken characters repaired).
- *File → Import files…* (**Ctrl+O**) picks files.

## Find them

- Type in the **search box** (**Ctrl+L**): `"exact phrase"`, `word OR other`, `-leave_out`, `prefix*`, \
`tag:name`. The words you searched for are marked in the open note.
- **Ctrl+F** in a note finds words in that note (**F3** for the next one).
- Click a **tag** on the left to filter; **Ctrl+click** combines tags.
- **Ctrl+E** edits the selected note as Markdown, with a live preview beside it; **Delete** moves \
it to the trash (**Ctrl+Z** undoes).

Every note is a plain `.md` file in your vault folder: open it with any editor, sync it, back it up.
You can delete this note once you have read it.
"""
