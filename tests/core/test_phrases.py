"""The phrase table: each list knows its chrome and leaves article sentences alone."""

from __future__ import annotations

import pytest

from clipper.core import phrases

PROSE = "The council voted on Tuesday to keep the old library open for another year."


@pytest.mark.parametrize(("name", "chrome"), [
    ("BOILERPLATE", ["Leave a reply", "Related articles:", "You might also like", "Most read", "Trending"]),
    ("SECTION_BREAK", ["Related stories", "Most viewed stories", "Trending", "More from Science:"]),
    ("COMMENTS_START", ["12 comments", "Post a comment", "Join the conversation"]),
    ("TAIL_HEADING", ["Leave a comment", "Related posts", "You may also like", "Tags:"]),
    ("CAPTION", ["Photo: Jane Doe", "Credit: Reuters"]),
    ("DATE_STAMP", ["Updated on: 3 May 2024", "Veröffentlicht am 3. Mai 2024"]),
])
def test_each_list_knows_its_chrome_and_not_prose(name, chrome):
    pattern = getattr(phrases, name)
    assert all(pattern.match(line) for line in chrome), name
    assert not pattern.match(PROSE)


def test_the_searched_lists():
    assert phrases.TAIL_PROMPT.search("Like this story? Share it with a friend")
    assert phrases.LEGAL.search("© 2024 Example Media. All rights reserved.")
    assert len(phrases.CONSENT.findall("We use cookies to improve your browsing experience")) >= 2
    for pattern in (phrases.TAIL_PROMPT, phrases.LEGAL, phrases.CONSENT):
        assert not pattern.search(PROSE)
