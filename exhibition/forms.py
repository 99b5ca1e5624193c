"""The product form of the catalogue (pages and API)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from exhibition.models import Product

TEXT_MAX = 5000


class ProductForm(forms.ModelForm):
    tags = forms.MultipleChoiceField(
        label=_("Tags"), choices=Product.Tag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Product
        fields = [
            "name_zh",
            "name_en",
            "description_zh",
            "description_en",
            "specifications",
            "tags",
            "industry",
        ]
        widgets = {
            "description_zh": forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX}),
            "description_en": forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX}),
            "specifications": forms.Textarea(
                attrs={
                    "rows": 4,
                    "maxlength": TEXT_MAX,
                    "placeholder": "主轴转速: 12000 rpm / Spindle speed: 12,000 rpm",
                }
            ),
        }
        help_texts = {"specifications": _("One per line, as “name: value”.")}

    def clean(self):
        data = super().clean()
        for name in ("description_zh", "description_en", "specifications"):
            if len(data.get(name) or "") > TEXT_MAX:
                self.add_error(name, _("At most 5,000 characters."))
        return data
