"""Markings carried by every record with operational or personal data.

``MarkedModel`` gives a model its classification, releasability, TLP, originator agency and
author; ``Recipient`` names the agencies and people a record was disseminated to. Who may see
a marked record is decided in ``entente.core.access`` alone: lists go through
``Model.objects.visible_to(user)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django import forms
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.core.choices import TLP, Classification

if TYPE_CHECKING:
    from entente.core.models.users import User

    # For the type checker, the field is set with any iterable of codes and reads as a frozenset.
    _CharField = models.CharField[Any, frozenset[str]]
else:
    _CharField = models.CharField


class CountrySetField(_CharField):
    """A set of two-letter country codes, stored sorted and comma-separated ("FR,UK").

    Stored as text so that "releasable to UK" is a plain ``contains`` filter on SQLite and
    PostgreSQL alike, with no join; codes are exactly two letters, so "UK" can only match the
    code UK.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        super().__init__(*args, **kwargs)

    @staticmethod
    def normalise(value: object) -> frozenset[str]:
        if value is None or value == "":
            return frozenset()
        if isinstance(value, str):
            items: Iterable[str] = value.split(",")
        elif isinstance(value, Iterable):
            items = [str(v) for v in value]
        else:
            raise ValidationError(_("Releasability must be a list of country codes."))
        codes = frozenset(item.strip().upper() for item in items if item.strip())
        for code in codes:
            if len(code) != 2 or not code.isalpha():
                raise ValidationError(
                    _("{code} is not a two-letter country code.").format(code=code)
                )
        return codes

    def from_db_value(
        self, value: str | None, expression: object, connection: object
    ) -> frozenset[str]:
        return self.normalise(value)

    def to_python(self, value: object) -> frozenset[str]:
        return self.normalise(value)

    def get_prep_value(self, value: object) -> str:
        if isinstance(value, str) and "," not in value:
            # A single code, as the right-hand side of a lookup ("releasability contains UK").
            return value.strip().upper()
        return ",".join(sorted(self.normalise(value)))

    def value_to_string(self, obj: models.Model) -> str:
        return self.get_prep_value(self.value_from_object(obj))

    def formfield(self, **kwargs: Any) -> forms.Field:  # type: ignore[override]
        from entente.core.models.reference import Country

        return forms.MultipleChoiceField(
            label=self.verbose_name,
            help_text=self.help_text,
            required=not self.blank,
            choices=lambda: [(c.code, c.name) for c in Country.objects.all()],
            widget=forms.CheckboxSelectMultiple,
        )


class MarkedQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """The queryset of a marked model: ``visible_to(user)`` is the only way to list records."""

    def visible_to(self, user: User | Any) -> Self:
        from entente.core import access

        return self.filter(access.visible_q(user, self.model))


class MarkedModel(models.Model):
    """Abstract base of every record that carries operational or personal data."""

    # The module whose role a user needs to see or change records of this model.
    access_module: ClassVar[str]

    classification = models.IntegerField(
        _("classification"), choices=Classification.choices, default=Classification.OFFICIAL
    )
    releasability = CountrySetField(
        _("releasable to"),
        help_text=_("The countries whose agencies may see the record."),
    )
    tlp = models.CharField(_("TLP"), max_length=12, choices=TLP.choices, default=TLP.AMBER)
    originator = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("originator")
    )
    created_by = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MarkedQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        codes = CountrySetField.normalise(self.releasability)
        if not codes:
            raise ValidationError({"releasability": _("Name at least one country.")})
        if self.originator_id is not None:
            own = self.originator.country.code
            if own not in codes:
                raise ValidationError(
                    {
                        "releasability": _(
                            "A record is always releasable to its originator's country ({code})."
                        ).format(code=own)
                    }
                )


class Recipient(models.Model):
    """A named recipient of a marked record: an agency or a person it was disseminated to.

    TLP:AMBER and AMBER+STRICT records are seen by the originating agency and the named
    agencies and people; TLP:RED records only by the named people (and their author).
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    agency = models.ForeignKey(
        "core.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    user = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("disseminated by"),
    )

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        indexes = [models.Index(fields=["content_type", "object_id"], name="core_recipient_target")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(agency__isnull=False) & models.Q(user__isnull=True))
                | (models.Q(agency__isnull=True) & models.Q(user__isnull=False)),
                name="core_recipient_agency_xor_user",
                violation_error_message=_("A recipient is either an agency or a person."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.agency or self.user)
