"""A yes/no modal for destructive keys; dismisses with True only on an explicit yes."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    """See the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "Cancel"),
    ]

    def __init__(self, title: str, explanation: str, yes_label: str) -> None:
        super().__init__(classes="confirm")
        self.title_text = title
        self.explanation = explanation
        self.yes_label = yes_label

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.title_text, id="confirm-title")
            yield Static(self.explanation, id="confirm-text")
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.yes_label} (y)", variant="error", id="confirm-yes")
                yield Button("Cancel (n)", variant="primary", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


KILL_TEXT = (
    "Crash drill: {node} stops at once WITHOUT releasing its resources or saying "
    "goodbye. Its peer hears nothing more, counts down deadtime and then takes the "
    "VIP over, exactly as after a power cut. The VIP stays configured here until the "
    "node starts again (r)."
)

DELETE_UUID_TEXT = (
    "Deletes {path} on {node}. At its next start the node makes a new uuid.\n\n"
    "Why: peers remember every node by uuid. After this machine's hostname changed, "
    "the old uuid still belongs to the old name in the peers' host caches, so the "
    "renamed node would be taken for the old one (or refused). A fresh uuid lets it "
    "join under its new name. Do it only after a rename or a cloned disk."
)
