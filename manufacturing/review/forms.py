"""The assessor's comment form: the question is picked from the framework's list (number and title,
grouped by dimension), never typed as a key."""

from django import forms
from django.utils.translation import gettext_lazy as _

from manufacturing.review import questions
from manufacturing.review.assignments import TEXT_MAX


class CommentForm(forms.Form):
    key = forms.ChoiceField(
        label=_("On question"),
        required=False,
        help_text=_("Leave it on “The whole assessment” for a general comment."),
        error_messages={"invalid_choice": _("Pick a question from the list.")},
    )
    text = forms.CharField(
        label=_("Comment"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the comment.")},
    )

    def __init__(self, *args, definition: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [("", _("The whole assessment")), *questions.choices(definition)]
