"""The demo's safeguarding: care (runs before the people demo).

From the agreements (/work/shared/seeds/): the Centre Jules Ferry, run by La Vie Active, serves
about 2,000 meals a day, with showers and power points; an accommodation unit with about 100
places for women and children; by the minister's speech of 20 August 2015, more than 900
migrants had applied for asylum in France and left Calais for accommodation elsewhere; voluntary
returns are encouraged with information campaigns, which the 2014 declaration says begin in
October.

Loaded here:
- the Centre Jules Ferry's daily counts from 1 June to 30 November 2015: meals about 2,000 a day
  (the agreement's figure, varying a little day to day); showers, phone charges and medical
  consultations are ILLUSTRATIVE (the agreements give no count for them);
- three protected places of La Vie Active: the women-and-children unit (100 places, the
  agreement's figure), a families place and a men's place (capacities illustrative), with stays
  from August to November 2015 (occupancy illustrative, kept below capacity so that the people
  demo's accepted referrals find free places; those present at the end of November are still
  checked in); fictitious confidential addresses known to caseworker.lva and safeguarding.pref;
- 912 asylum pathways lodged between 1 January and 19 August 2015, each transferred to
  accommodation away from Calais a few days later ("more than 900" by 20 August), no decision
  (the agreements give none); a few voluntary-return pathways with IOM as partner
  (ILLUSTRATIVE: the agreements give no figure);
- two joint information campaigns from October 2015 in the eight languages, one approved by
  both countries (safeguarding.pref for France, approver.homeoffice, a programme approver of the
  Home Office created here without a password, for the United Kingdom), one awaiting the
  United Kingdom's approval. Reach is left at 0 (no figure in the agreements).

People are minimal rows: a case code (CARE-A-, CARE-R-, CARE-S-), an age band and a gender;
no name, no date of birth, no vulnerability detail. Idempotent: a second run changes nothing.
Bulk rows are written through the ORM with one audit entry per batch (as imported statistics
are); places, allocations' owners and campaigns go through the services.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from entente.core import audit
from entente.core.choices import TLP, AuditAction, Classification, Module, Role
from entente.core.models import Agency, User
from entente.safeguarding.choices import (
    AgeBand,
    AllocationState,
    Gender,
    Milestone,
    PathwayKind,
    PlaceCategory,
)
from entente.safeguarding.models import (
    Allocation,
    Campaign,
    DayCentre,
    Pathway,
    PathwayStep,
    Person,
    Place,
    ServiceDay,
)

CENTRE = "Centre Jules Ferry"
MEALS_A_DAY = 2000  # the agreement: "an average of 2,000 meals a day"
WOMEN_CHILDREN_PLACES = 100  # the agreement: "about 100 places for women and children"
ASYLUM_BY_20_AUGUST = 912  # the agreement: "more than 900" by 20 August 2015
VOLUNTARY_RETURNS = 12  # illustrative
UK_APPROVER = "approver.homeoffice"

PLACES = (
    # name, category, capacity, target occupancy (illustrative), fictitious address
    (
        "Jules Ferry – femmes et enfants",
        PlaceCategory.WOMEN_CHILDREN,
        WOMEN_CHILDREN_PLACES,
        78,
        "Adresse fictive de démonstration n° 1, Calais",
    ),
    (
        "Maison des familles",
        PlaceCategory.FAMILIES,
        12,
        8,
        "Adresse fictive de démonstration n° 2, Pas-de-Calais",
    ),
    (
        "Accueil de nuit des hommes",
        PlaceCategory.MEN,
        30,
        22,
        "Adresse fictive de démonstration n° 3, Calais",
    ),
)

MESSAGES_ASYLUM = {
    "ar": "يمكنك طلب اللجوء في فرنسا. اسأل في مركز جول فيري.",
    "ti": "ኣብ ፈረንሳ ዑቕባ ክትሓትት ትኽእል ኢኻ። ኣብ ማእከል ጁል ፌሪ ሕተት።",
    "ps": "تاسو کولی شئ په فرانسه کې د پناه غوښتنه وکړئ. د ژول فیري په مرکز کې پوښتنه وکړئ.",
    "prs": "شما می‌توانید در فرانسه درخواست پناهندگی کنید. در مرکز ژول فری بپرسید.",
    "ku": "دەتوانیت لە فەرەنسا داوای پەنابەری بکەیت. لە ناوەندی ژول فێری بپرسە.",
    "am": "በፈረንሳይ ጥገኝነት መጠየቅ ይችላሉ። በጁል ፌሪ ማዕከል ይጠይቁ።",
    "fr": "Vous pouvez demander l’asile en France et être hébergé hors de Calais. "
    "Renseignez-vous au centre Jules Ferry.",
    "en": "You can apply for asylum in France and be accommodated away from Calais. "
    "Ask at the Centre Jules Ferry.",
}
MESSAGES_REALITY = {
    "ar": "العبور إلى المملكة المتحدة خطير. العودة الطوعية بمساعدة ممكنة.",
    "ti": "ናብ ዓባይ ብሪጣንያ ምስጋር ሓደገኛ እዩ። ብሓገዝ ብፍቓድካ ምምላስ ይከኣል።",
    "ps": "انګلستان ته تېرېدل خطرناک دي. په مرسته داوطلبانه بېرته ستنېدل ممکن دي.",
    "prs": "عبور به بریتانیا خطرناک است. بازگشت داوطلبانه با کمک ممکن است.",
    "ku": "پەڕینەوە بۆ بەریتانیا مەترسیدارە. گەڕانەوەی خۆبەخشانە بە یارمەتی دەکرێت.",
    "am": "ወደ እንግሊዝ መሻገር አደገኛ ነው። በእርዳታ በፈቃደኝነት መመለስ ይቻላል።",
    "fr": "Passer au Royaume-Uni est dangereux. Un retour volontaire aidé est possible.",
    "en": "Crossing to the United Kingdom is dangerous. Assisted voluntary return is possible.",
}


def _audit_batch(object_type: str, object_id: str, **changes: int) -> None:
    """One audit entry for rows written in bulk by the demo (as imported statistics are)."""
    audit.record(
        None, AuditAction.CREATE, object_type=object_type, object_id=object_id, changes=changes
    )


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _people(
    prefix: str, count: int, lva: User, rng: random.Random, **fields: object
) -> list[Person]:
    """Minimal people of La Vie Active: case codes only."""
    assert lva.agency is not None
    bands = [AgeBand.YOUNG_ADULT, AgeBand.ADULT, AgeBand.ADULT, AgeBand.OLDER_TEEN]
    rows = [
        Person(
            case_code=f"{prefix}{n:04d}",
            age_band=fields.get("age_band") or rng.choice(bands),
            gender=fields.get("gender") or rng.choice([Gender.MALE, Gender.MALE, Gender.FEMALE]),
            releasability=frozenset({"FR"}),  # type: ignore[misc]
            tlp=TLP.AMBER,
            classification=Classification.OFFICIAL,
            originator=lva.agency,
            created_by=lva,
        )
        for n in range(1, count + 1)
    ]
    Person.objects.bulk_create(rows, batch_size=500)
    _audit_batch("safeguarding.person", f"demo:{prefix}", rows=count)
    return list(Person.objects.filter(case_code__startswith=prefix).order_by("case_code"))


def _uk_approver() -> User:
    from entente.core import services

    found = User.objects.filter(username=UK_APPROVER).first()
    if found is not None:
        return found
    return services.create_user(
        username=UK_APPROVER,
        agency=Agency.objects.get(code="HO"),
        acting_user=None,
        first_name="Grace",
        last_name="Allen",
        language="en",
        roles={Module.PROGRAMME: Role.APPROVER},
    )


def _day_centre(lva: User, rng: random.Random) -> None:
    assert lva.agency is not None
    centre, _new = DayCentre.objects.get_or_create(
        name=CENTRE, defaults={"town": "Calais", "operator": lva.agency}
    )
    if centre.days.exists():
        return
    day, last = dt.date(2015, 6, 1), dt.date(2015, 11, 30)
    rows = []
    while day <= last:
        meals = MEALS_A_DAY + rng.randint(-150, 150)
        rows.append(
            ServiceDay(
                centre=centre,
                day=day,
                meals=meals,
                showers=rng.randint(380, 520),  # illustrative
                charging=rng.randint(900, 1300),  # illustrative
                consultations=rng.randint(40, 90),  # illustrative
                entered_by=lva,
                entered_at=_aware(day, 21),
            )
        )
        day += dt.timedelta(days=1)
    ServiceDay.objects.bulk_create(rows)
    _audit_batch("safeguarding.serviceday", f"demo:{centre.pk}", rows=len(rows))


def _places(lva: User, pref: User, rng: random.Random) -> None:
    from entente.safeguarding.services import accommodation

    if Place.objects.filter(name=PLACES[0][0]).exists():
        return
    start, end = dt.date(2015, 8, 1), dt.date(2015, 11, 30)
    for index, (name, category, capacity, target, address) in enumerate(PLACES):
        place = accommodation.create_place(
            lva,
            name=name,
            town="Calais",
            address=address,
            address_known_to=[pref],
            releasability=["FR", "UK"],
            tlp=TLP.GREEN,
            **{f"capacity_{category}": capacity},
        )
        # Stays of one to five weeks, new arrivals while below the target occupancy.
        stays: list[tuple[dt.date, dt.date | None]] = []
        present: list[dt.date] = []  # departure days of those present
        day = start
        while day <= end:
            present = [d for d in present if d > day]
            while len(present) < target and rng.random() < 0.9:
                leave = day + dt.timedelta(days=rng.randint(7, 35))
                present.append(leave)
                stays.append((day, leave if leave <= end else None))
            day += dt.timedelta(days=1)
        gender = Gender.MALE if category == PlaceCategory.MEN else Gender.FEMALE
        people = _people(f"CARE-S{index}-", len(stays), lva, rng, gender=gender)
        rows = [
            Allocation(
                place=place,
                person=person,
                category=category,
                state=AllocationState.CHECKED_OUT if leave else AllocationState.CHECKED_IN,
                allocated_at=_aware(arrive, 10),
                checked_in_at=_aware(arrive, 18),
                checked_out_at=_aware(leave, 9) if leave else None,
                created_by=lva,
            )
            for person, (arrive, leave) in zip(people, stays, strict=True)
        ]
        Allocation.objects.bulk_create(rows, batch_size=500)
        _audit_batch("safeguarding.allocation", f"demo:{place.pk}", rows=len(rows))


def _pathways(lva: User, rng: random.Random) -> None:
    assert lva.agency is not None
    if Person.objects.filter(case_code__startswith="CARE-A-").exists():
        return
    first, last = dt.date(2015, 1, 1), dt.date(2015, 8, 19)
    span = (last - first).days
    # More applications as the summer went on (the camp grew): a rising density.
    lodged = sorted(
        first + dt.timedelta(days=int(span * rng.random() ** 0.6))
        for _ in range(ASYLUM_BY_20_AUGUST)
    )
    people = _people("CARE-A-", ASYLUM_BY_20_AUGUST, lva, rng)
    paths = [
        Pathway(
            person=person,
            kind=PathwayKind.ASYLUM,
            started_on=day,
            releasability=frozenset({"FR"}),  # type: ignore[misc]
            tlp=TLP.AMBER,
            classification=Classification.OFFICIAL,
            originator=lva.agency,
            created_by=lva,
        )
        for person, day in zip(people, lodged, strict=True)
    ]
    Pathway.objects.bulk_create(paths, batch_size=500)
    saved = list(
        Pathway.objects.filter(person__case_code__startswith="CARE-A-").order_by(
            "person__case_code"
        )
    )
    steps = []
    for pathway in saved:
        moved = min(pathway.started_on + dt.timedelta(days=rng.randint(1, 10)), last)
        steps.append(
            PathwayStep(
                pathway=pathway,
                milestone=Milestone.LODGED,
                reached_on=pathway.started_on,
                recorded_by=lva,
            )
        )
        steps.append(
            PathwayStep(
                pathway=pathway, milestone=Milestone.TRANSFERRED, reached_on=moved, recorded_by=lva
            )
        )
    PathwayStep.objects.bulk_create(steps, batch_size=1000)
    _audit_batch("safeguarding.pathway", "demo:asylum", rows=len(saved), milestones=len(steps))
    _voluntary_returns(lva, rng)


def _voluntary_returns(lva: User, rng: random.Random) -> None:
    from entente.safeguarding.services import pathways

    iom = Agency.objects.select_related("country").get(code="IOM")
    people = _people("CARE-R-", VOLUNTARY_RETURNS, lva, rng)
    for n, person in enumerate(people):
        applied = dt.date(2015, 9, 1) + dt.timedelta(days=rng.randint(0, 60))
        pathway = pathways.open_pathway(
            lva,
            person=person,
            kind=PathwayKind.VOLUNTARY_RETURN,
            started_on=applied,
            partner=iom,
        )
        pathways.record_milestone(
            lva, pathway, milestone=Milestone.RETURN_APPLIED, reached_on=applied
        )
        if n % 4 == 3:
            continue  # still at the application
        taken = applied + dt.timedelta(days=rng.randint(2, 10))
        pathways.record_milestone(lva, pathway, milestone=Milestone.PARTNER, reached_on=taken)
        if n % 3 == 2:
            continue  # not yet departed
        pathways.record_milestone(
            lva,
            pathway,
            milestone=Milestone.DEPARTED,
            reached_on=taken + dt.timedelta(days=rng.randint(10, 30)),
        )


def _campaigns(lva: User, pref: User) -> None:
    from entente.safeguarding.services import campaigns

    if Campaign.objects.filter(title__startswith="Asylum in France").exists():
        return
    asylum = campaigns.create_campaign(
        lva,
        title="Asylum in France: your rights",
        summary="Information on applying for asylum in France and on accommodation away "
        "from Calais, given at the Centre Jules Ferry and by outreach teams.",
        channels=["leaflet", "poster", "outreach"],
        starts_on=dt.date(2015, 10, 1),
        ends_on=dt.date(2015, 12, 31),
        messages=MESSAGES_ASYLUM,
    )
    campaigns.approve(pref, asylum)
    campaigns.approve(_uk_approver(), asylum)
    # Approved before it began (the audit trail keeps when the demo recorded it).
    Campaign.objects.filter(pk=asylum.pk).update(
        approved_fr_at=_aware(dt.date(2015, 9, 24), 11),
        approved_uk_at=_aware(dt.date(2015, 9, 28), 15),
    )
    campaigns.create_campaign(
        lva,
        title="The reality of crossing to the United Kingdom",
        summary="The dangers of clandestine crossings and the assisted voluntary return "
        "programme (joint declaration of 20 September 2014).",
        channels=["leaflet", "outreach", "radio"],
        starts_on=dt.date(2015, 10, 15),
        messages=MESSAGES_REALITY,
    )


@transaction.atomic
def load() -> None:
    """Loaded after the control room's handovers and the personas, before the people demo."""
    lva = User.objects.select_related("agency__country").get(username="caseworker.lva")
    pref = User.objects.select_related("agency__country").get(username="safeguarding.pref")
    rng = random.Random(20150820)  # noqa: S311 - demo data, the day of the Calais agreement
    _day_centre(lva, rng)
    _places(lva, pref, rng)
    _pathways(lva, rng)
    _campaigns(lva, pref)
