"""The demo's joint inspections: the six-monthly joint inspection programme the Calais agreement
of 20 August 2015 set up (shared/seeds/000_...txt: "the establishment of a six-monthly joint
inspection programme").

- 2015-H2, held on 10 December 2015 (illustrative day), closed by the French Ministry of the
  Interior's programme approver: a checklist drawn from the measures of the Calais agreement
  (each checked, with a note from the action plan's status), findings on the measures still in
  progress or late, and actions with owner agencies and deadlines (illustrative). One action
  is done; the open ones are carried to 2016-H1.
- 2016-H1, planned: it holds the carried actions (each says where it came from).

No figure here that the agreements do not give (150 to 250 security staff, "by the end of the
year", "will begin in October"); days and deadlines are illustrative. Loaded through the
services as the Home Office's programme officer (editor) and closed by the Interior's
(approver); idempotent.
"""

from __future__ import annotations

import datetime as dt

from entente.core.models import Agency, User
from entente.programme.choices import Severity
from entente.programme.models import Inspection, Measure
from entente.programme.services import inspections

EDITOR = "programme.homeoffice"
APPROVER = "programme.interieur"
D = dt.date

# The measures of the Calais agreement the 2015-H2 inspection checked, with what it noted.
CHECKED = [
    ("CA-01", "Fences and cameras seen along the platforms; the portal's still being fitted."),
    ("CA-02", "Recruitment under way; the agreement's 250 not reached yet."),
    ("CA-03", "Control room open; freight search teams on shift around the clock."),
    ("CA-04", "Coquelles centre staffed by both countries; daily briefing with Folkestone."),
    ("CA-05", "British officers in Calais; their working arrangements not yet signed."),
    ("CA-07", "Night places for women and children in use; referral procedure in place."),
    ("CA-09", "Applications lodged with accommodation away from Calais."),
    ("CA-12", "The Paris conference has not been held."),
]

FINDINGS = [
    # measure, severity, English finding, recommendation, French finding? (findings are
    # written in one language, as an inspector writes them)
    (
        "CA-02",
        Severity.HIGH,
        "en",
        "Eurotunnel's security staff have not yet reached the 250 the agreement sets (from 150).",
        "Publish a recruitment timetable to reach 250 and report monthly to the gold commanders.",
        [("Recruitment timetable to reach 250 security staff", "EUROTUNNEL", D(2016, 3, 31))],
    ),
    (
        "CA-12",
        Severity.MEDIUM,
        "fr",
        "La conférence de suivi à Paris, prévue « d’ici la fin de l’année », ne s’est pas tenue.",
        "Fixer une date avec les États membres intéressés et en informer les deux ministres.",
        [("Date and participants of the Paris conference", "MININT", D(2016, 2, 29))],
    ),
    (
        "CA-01",
        Severity.MEDIUM,
        "en",
        "The tunnel portal's fences and cameras are not finished; the platforms' are in place.",
        "Finish the portal and hand over the camera feeds to the new control room.",
        [
            ("Portal fences and CCTV finished", "EUROTUNNEL", D(2016, 1, 31)),
            ("Camera feeds of the portal in the control room", "BF", D(2015, 12, 18)),
        ],
    ),
    (
        "CA-11",
        Severity.LOW,
        "en",
        "The joint team to remove illegal migrants is not yet set up.",
        "Agree its terms of reference and the British contribution.",
        [("Terms of reference of the joint removal team", "BF", D(2016, 4, 30))],
    ),
]
DONE = {"Camera feeds of the portal in the control room": D(2015, 12, 17)}

SUMMARY_EN = (
    "First joint inspection under the Calais agreement of 20 August 2015, at the tunnel site, "
    "the port and the Centre Jules Ferry. Most security measures are in place; staffing, the "
    "tunnel portal, the removal team and the Paris conference are behind."
)
SUMMARY_FR = (
    "Première inspection conjointe au titre de l’accord de Calais du 20 août 2015, sur le site "
    "du tunnel, au port et au centre Jules-Ferry. La plupart des mesures de sécurité sont en "
    "place ; les effectifs, le portail du tunnel, l’équipe d’éloignement et la conférence de "
    "Paris sont en retard."
)


def load() -> None:
    if Inspection.objects.filter(period="2015-H2").exists():
        return
    editor = User.objects.get(username=EDITOR)
    approver = User.objects.get(username=APPROVER)
    measures = {m.code: m for m in Measure.objects.filter(code__in=[c for c, _ in CHECKED])}
    checklist = [
        (f"{code}: {measures[code].title_en}", f"{code} : {measures[code].title_fr}")
        for code, _ in CHECKED
        if code in measures
    ]
    inspection = inspections.create_inspection(
        acting_user=editor,
        period="2015-H2",
        held_on=D(2015, 12, 10),
        summary_en=SUMMARY_EN,
        summary_fr=SUMMARY_FR,
        checklist=checklist,
    )
    notes = {f"{code}: ": note for code, note in CHECKED}
    for item in inspection.checklist.all():
        note = next((n for prefix, n in notes.items() if item.text_en.startswith(prefix)), "")
        inspections.check_item(item, acting_user=editor, checked=True, note=note)
    agencies = {a.code: a for a in Agency.objects.all()}
    for _code, severity, language, text, recommendation, actions in FINDINGS:
        finding = inspections.add_finding(
            inspection,
            acting_user=editor,
            text=text,
            language=language,
            severity=severity,
            recommendation=recommendation,
        )
        for title, owner, due in actions:
            action = inspections.add_action(
                inspection,
                acting_user=editor,
                title=title,
                owner=agencies.get(owner) or agencies["MININT"],
                due_on=due,
                finding=finding,
            )
            if title in DONE:
                inspections.complete_action(action, acting_user=editor, done_on=DONE[title])
                inspections.add_action_evidence(
                    action,
                    acting_user=editor,
                    title="Control room: portal cameras connected",
                    link="/programme/plan/CA-03/",
                )
    inspections.close_inspection(inspection, acting_user=approver)
    inspections.create_inspection(acting_user=editor, period="2016-H1")
