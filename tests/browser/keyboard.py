"""Driving a page the way a keyboard user does: Tab/Shift+Tab to a control, then keys only.

Nothing here clicks or fills an element: focus moves with Tab, text arrives through
`page.keyboard.type`, radios change with the arrow keys, forms submit with Enter. The page is only
read (which element has focus) to know when to stop tabbing.
"""

from __future__ import annotations

import re

# What the focused element is: tag, input type, id, and its accessible-ish name (its label,
# aria-label or text).
_ACTIVE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: 'body', type: '', id: '', name: ''};
  const label = el.labels && el.labels.length ? el.labels[0].innerText
    : (el.getAttribute('aria-label') || el.innerText || el.value || '');
  return {tag: el.tagName.toLowerCase(), type: el.type || '', id: el.id,
          name: label.replace(/\\s+/g, ' ').trim()};
}"""
LIMIT = 120


def focused(page) -> dict:
    return page.evaluate(_ACTIVE)


def tab_to(
    page,
    name: str | None = None,
    *,
    tag: str | None = None,
    kind: str | None = None,
    back: bool = False,
) -> dict:
    """Press Tab (Shift+Tab with back=True) until the focused element matches; return it.

    `name` is a regular expression matched against the element's label or text, whole words from
    its start ("Feedback" matches "Feedback required", not "Feedbacks"), `tag` its tag name,
    `kind` its input type (radio, checkbox, submit, …).
    """
    seen = []
    for _ in range(LIMIT):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        now = focused(page)
        seen.append(f"{now['tag']}[{now['type']}] {now['name'][:40]!r}")
        if (
            (name is None or re.fullmatch(name + r"(\s.*)?", now["name"]))
            and (tag is None or now["tag"] == tag)
            and (kind is None or now["type"] == kind)
        ):
            return now
    raise AssertionError(
        f"Tab never reached {name=} {tag=} {kind=}; focus went through:\n" + "\n".join(seen)
    )


def follow(page, name: str) -> None:
    """Tab to the link called `name` and press Enter to follow it."""
    tab_to(page, name, tag="a")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page, name: str, text: str, *, tag: str | None = None) -> None:
    tab_to(page, name, tag=tag)
    page.keyboard.type(text)


def choose(page, steps: int) -> dict:
    """Tab into the next radio group and pick the option `steps` after the first.

    In a group with nothing chosen Tab lands on its first option: Space chooses it, each arrow
    key press moves to (and chooses) the next one.
    """
    tab_to(page, kind="radio")
    page.keyboard.press("Space")
    for _ in range(steps):
        page.keyboard.press("ArrowRight")
    return focused(page)


def press_button(page, name: str) -> None:
    """Tab to the button called `name` and press Enter; waits for the page it loads."""
    tab_to(page, name, tag="button")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def log_in(page, email: str, password: str, code=None) -> None:
    """Sign in from the login page by keyboard; `code()` gives staff their one-time code."""
    page.goto("/login")
    type_into(page, "Email", email, tag="input")
    type_into(page, "Password", password, tag="input")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    if code is not None and page.url.endswith("/login/verify"):
        type_into(page, "Code", code(), tag="input")
        with page.expect_navigation():
            page.keyboard.press("Enter")


def active_id(page) -> str:
    return page.evaluate("() => document.activeElement ? document.activeElement.id : ''")
