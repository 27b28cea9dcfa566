"""Deterministic sample data for the revenue chain: Holded, 4Geeks and Notion, in the vendors' shapes.

The story: an academy sells programs (Holded services). Students enrol in cohorts (4Geeks) and are
invoiced (Holded) in installments: before their cohort starts (prepaid) and after (catch-up). The
importer must match an invoice line to an enrollment through the contact's e-mail and the line's
service, and the data carries the traps a real importer meets:

- students' e-mails differ from the contacts' in case and whitespace (``Ana@Example.com ``);
- about 10% of the contacts have no student with their e-mail: companies buying training, and
  students who used another address in 4Geeks; a few suppliers are contacts too (``type``);
- about 1% of the invoice lines name a program the contact is not enrolled in, and about 1% have
  no ``serviceId`` or one that is not in the catalog;
- 4Geeks lists teachers as cohort users too (``role`` ``TEACHER``), a student's ``id`` is not the
  id of its user, and an invited student has no user at all (``user`` is None);
- a few Notion pages have no Holded ID, and a few titles come in two pieces of rich text;
- a few invoices are refunded by a credit note in their month or up to three months later (one line,
  whole or half), most made from the invoice (``from`` names it), some not.

Everything is built from ``random.Random`` seeded per month, so the same arguments give the same
data, and a longer range from the same start shares the invoices, contacts, students and
enrollments of the months in common (statuses, which depend on the end of the range, may differ).
Amounts are computed in integer cents, so the invoice totals are exact.
"""

from __future__ import annotations

import calendar
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

JsonObject = dict[str, Any]

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_COHORT_ANCHOR = date(2000, 1, 1)
"""Every program's cohort chain starts here, so cohort slugs do not depend on the range asked for."""
_WARM_UP_MONTHS = 6
"""Months billed before ``start`` (and not kept): the enrollments already running when the range begins."""

_WALK_IN_SHARE = 0.025  # invoices to companies, which have no student
_NEW_ENROLLMENT_SHARE = 0.33  # the other invoices bill a new enrollment, or else a running one
_RETURNING_STUDENT_SHARE = 0.08  # new enrollments of someone who already studied
_OTHER_EMAIL_SHARE = 0.03  # students whose 4Geeks e-mail is not their Holded one
_UNENROLLED_LINE_SHARE = 0.01
_BAD_SERVICE_LINE_SHARE = 0.01
_NOTION_PAGE_SHARE = 0.95
_REFUND_SHARE = 0.02  # of a month's invoices, refunded by a credit note
_REFUND_NAMING_NO_INVOICE_SHARE = 0.2
_REFUND_MONTHS = 4  # a credit note refunds an invoice of its month or of the three before
_DUE_DAYS = 30
_TAX_ID_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


@dataclass(frozen=True)
class RevenueData:
    """The vendors' records as plain JSON-ready dicts (see ``generate_revenue_data``)."""

    start: date
    end: date
    """First day after the range (exclusive)."""
    services: list[JsonObject]
    contacts: list[JsonObject]
    invoices: list[JsonObject]
    credit_notes: list[JsonObject]
    students: list[JsonObject]
    cohorts: list[JsonObject]
    enrollments: list[JsonObject]
    notion_pages: list[JsonObject]


@dataclass(frozen=True)
class _Program:
    code: str
    name: str
    price_cents: int
    cost_cents: int
    shortest_months: int
    longest_months: int


_PROGRAMS = (
    _Program("full-stack-ft", "Full Stack Developer (full time)", 649_000, 182_000, 3, 5),
    _Program("full-stack-pt", "Full Stack Developer (part time)", 649_000, 205_000, 5, 9),
    _Program("data-science-ft", "Data Science & Machine Learning (full time)", 699_000, 196_000, 3, 5),
    _Program("data-science-pt", "Data Science & Machine Learning (part time)", 699_000, 221_000, 6, 9),
    _Program("cybersecurity-pt", "Cybersecurity (part time)", 599_000, 174_000, 4, 7),
    _Program("ai-engineering-pt", "AI Engineering (part time)", 399_000, 98_000, 2, 4),
)
_PROGRAMS_BY_CODE = {program.code: program for program in _PROGRAMS}

_FIRST_NAMES = (
    "Ana", "María", "Lucía", "Carmen", "Laura", "Marta", "Paula", "Elena", "Sofía", "Irene", "Nuria",
    "Raquel", "Inés", "Julia", "Noelia", "Andrea", "Beatriz", "Claudia", "Alba", "Rocío", "José",
    "Javier", "David", "Daniel", "Carlos", "Miguel", "Alejandro", "Pablo", "Sergio", "Jorge", "Álvaro",
    "Adrián", "Diego", "Raúl", "Iván", "Rubén", "Óscar", "Marcos", "Hugo", "Nicolás",
)  # fmt: skip
_LAST_NAMES = (
    "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez",
    "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Alonso",
    "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Ramírez", "Serrano",
    "Blanco", "Molina", "Morales", "Suárez", "Ortega", "Delgado", "Castro", "Ortiz", "Rubio", "Marín",
    "Sanz", "Núñez", "Iglesias", "Medina", "Garrido", "Cortés", "Castillo", "Santos", "Lozano", "Guerrero",
)  # fmt: skip
_EMAIL_DOMAINS = ("gmail.com", "hotmail.com", "yahoo.es", "outlook.com", "icloud.com", "protonmail.com")
_COMPANY_WORDS = ("Innova", "Datos", "Norte", "Sur", "Levante", "Atlántica", "Cúbica", "Nube", "Kilo", "Faro")
_COMPANY_KINDS = ("Consulting", "Tech", "Software", "Digital", "Analytics", "Sistemas")
_CITIES = (  # city, province, first two digits of the postal code
    ("Madrid", "Madrid", "28"),
    ("Barcelona", "Barcelona", "08"),
    ("Valencia", "Valencia", "46"),
    ("Málaga", "Málaga", "29"),
    ("Sevilla", "Sevilla", "41"),
    ("Bilbao", "Bizkaia", "48"),
    ("Zaragoza", "Zaragoza", "50"),
    ("A Coruña", "A Coruña", "15"),
    ("Alicante", "Alicante", "03"),
    ("Murcia", "Murcia", "30"),
)
_STREETS = ("Calle Mayor", "Gran Vía", "Avenida de la Constitución", "Calle Real", "Paseo del Prado", "Calle Luna")
_SUPPLIERS = ("Aulas Coworking S.L.", "Hosting Mediterráneo S.L.", "Formadores Asociados S.L.")
_TEACHER_USERS = tuple(
    {"id": 101 + index, "email": f"{first.lower()}@4geeks-staff.com", "first_name": first, "last_name": last}
    for index, (first, last) in enumerate((("Marta", "Quintana"), ("Tomas", "Ibarra"), ("Lidia", "Soler")))
)


def generate_revenue_data(start: date, months: int, invoices_per_month: int, seed: int = 11) -> RevenueData:
    """``invoices_per_month`` invoices in each of ``months`` months from ``start`` (a first of the
    month), with the contacts, students, cohorts, enrollments and Notion pages behind them."""
    if start.day != 1:
        raise ValueError("start must be the first day of a month")
    if months < 1 or invoices_per_month < 0:
        raise ValueError("months must be positive and invoices_per_month not negative")
    generator = _Generator(seed, _month_number(start), months)
    for month in range(generator.first_month - _WARM_UP_MONTHS, generator.end_month):
        generator.bill_month(month, invoices_per_month, keep=month >= generator.first_month)
    return generator.result()


def _month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(month: int) -> date:
    return date(month // 12, month % 12 + 1, 1)


def _add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the end of a shorter month."""
    month = _month_number(day) + months
    year, month_index = month // 12, month % 12 + 1
    return date(year, month_index, min(day.day, calendar.monthrange(year, month_index)[1]))


def _unix(day: date) -> int:
    """Unix seconds at 00:00 UTC of ``day``: Holded's day-rounded timestamps."""
    return (day.toordinal() - _EPOCH_ORDINAL) * 86_400


def _iso_midnight(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _drf_time(rng: random.Random, day: date) -> str:
    """A moment during office hours of ``day`` (UTC) as Django REST framework (4Geeks) writes it:
    microseconds and ``Z``."""
    seconds, micros = divmod(rng.randrange(8 * 3600 * 10**6, 20 * 3600 * 10**6), 10**6)
    return f"{day.isoformat()}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.{micros:06d}Z"


def _notion_time(rng: random.Random, day: date) -> str:
    """A moment during office hours of ``day`` (UTC) as Notion writes it: whole minutes, ``.000Z``."""
    minutes = rng.randrange(8 * 60, 20 * 60)
    return f"{day.isoformat()}T{minutes // 60:02d}:{minutes % 60:02d}:00.000Z"


def _pick(rng: random.Random, cumulative: tuple[tuple[Any, float], ...], otherwise: Any) -> Any:
    """The first value whose cumulative probability exceeds a draw (``otherwise`` for the rest):
    ``random.choices`` with weights, several times faster."""
    draw = rng.random()
    return next((value for value, below in cumulative if draw < below), otherwise)


def _object_id(rng: random.Random, day: date) -> str:
    """A Holded id: a MongoDB ObjectId, 4 bytes of creation time then 8 random bytes (24 hex)."""
    return f"{_unix(day):08x}{rng.getrandbits(64):016x}"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _money(cents: int) -> float:
    return cents / 100


def _divide_rounding_half_up(amount: int, divisor: int) -> int:
    return (amount + divisor // 2) // divisor


def invoice_totals(products: list[JsonObject]) -> tuple[float, float, float, float]:
    """An invoice's ``subtotal, discount, tax, total`` from its lines, as Holded's documents carry them.

    Per line: gross = price x units, discount = gross x discount%, net = gross - discount, tax =
    net x tax%. The invoice sums them unrounded, rounds each sum half up to the cent, and total =
    subtotal - discount + tax. Computed in integer cents, so it is exact.
    """
    gross = discount = tax = 0  # cents, cents x 100, cents x 10,000
    for product in products:
        line_gross = round(product["price"] * 100) * product["units"]
        line_discount = line_gross * product["discount"]
        gross += line_gross
        discount += line_discount
        tax += (line_gross * 100 - line_discount) * product["tax"]
    discount_cents = _divide_rounding_half_up(discount, 100)
    tax_cents = _divide_rounding_half_up(tax, 10_000)
    return _money(gross), _money(discount_cents), _money(tax_cents), _money(gross - discount_cents + tax_cents)


def _rich_text(text: str) -> JsonObject:
    return {"type": "text", "text": {"content": text, "link": None}, "plain_text": text, "href": None}


@dataclass
class _Cohort:
    id: int
    slug: str
    name: str
    code: str
    kickoff: date
    ending: date

    @property
    def kickoff_month(self) -> int:
        return _month_number(self.kickoff)

    @property
    def ending_month(self) -> int:
        return _month_number(self.ending)


@dataclass
class _Customer:
    """A student who pays: a Holded contact and a 4Geeks user."""

    contact: JsonObject
    user: JsonObject
    codes: set[str] = field(default_factory=set)
    """The programs the customer is enrolled in."""


@dataclass
class _Enrollment:
    id: int
    user: JsonObject
    cohort: _Cohort
    created_at: str
    installments: int
    status_draw: float
    finance_draw: float


class _Generator:
    """Builds the data month by month; counters and pools carry over from one month to the next."""

    def __init__(self, seed: int, first_month: int, months: int) -> None:
        self.seed = seed
        self.first_month = first_month
        self.end_month = first_month + months
        self.as_of = _month_start(self.end_month)
        self.services = self._services()
        self.service_ids = {service["code"]: service["id"] for service in self.services}
        self.cohorts = self._cohorts()
        self.cohorts_by_kickoff: dict[int, list[_Cohort]] = {}
        for cohort in self.cohorts:
            self.cohorts_by_kickoff.setdefault(cohort.kickoff_month, []).append(cohort)
        self.contacts: list[JsonObject] = []
        self.students: list[JsonObject] = []
        self.notion_pages: list[JsonObject] = []
        self.invoices: list[JsonObject] = []
        self.credit_notes: list[JsonObject] = []
        self.invoices_by_month: dict[int, list[JsonObject]] = {}
        self.enrollments: list[_Enrollment] = []
        self.running: list[tuple[_Enrollment, _Customer]] = []
        """Enrollments that can still be billed, with the customer to bill."""
        self.customers: list[_Customer] = []
        self.companies: list[JsonObject] = []
        self.people = 0
        self.next_user_id = 5_001
        self.next_profile_id = 301
        self.next_enrollment_id = 20_001
        self.doc_numbers: dict[int, int] = {}
        self._add_suppliers()

    # --- catalog and cohorts -------------------------------------------------------------------

    def _services(self) -> list[JsonObject]:
        rng = random.Random(f"{self.seed}:services")
        created = _month_start(self.first_month - 24)
        return [
            {
                "id": _object_id(rng, created),
                "name": program.name,
                "desc": f"Bootcamp {program.name}",
                "tags": [],
                "tax": 21,
                "subtotal": _money(program.price_cents),
                "cost": _money(program.cost_cents),
                "code": program.code,
                "forSale": 1,
            }
            for program in _PROGRAMS
        ]

    def _cohorts(self) -> list[_Cohort]:
        """For each program, a cohort every month or two from ``_COHORT_ANCHOR``; kept are the ones
        that can be billed from the warm-up on."""
        first_kept = self.first_month - _WARM_UP_MONTHS - max(p.longest_months for p in _PROGRAMS) - 1
        cohorts = []
        for index, program in enumerate(_PROGRAMS):
            rng = random.Random(f"{self.seed}:cohorts:{program.code}")
            month, number = _month_number(_COHORT_ANCHOR), 0
            while month <= self.end_month + 2:
                number += 1
                cohort = _cohort(rng, program, index, number, month)
                if month >= first_kept:
                    cohorts.append(cohort)
                month += rng.choice((1, 1, 2))
        return sorted(cohorts, key=lambda cohort: (cohort.kickoff, cohort.id))

    # --- people --------------------------------------------------------------------------------

    def _add_suppliers(self) -> None:
        rng = random.Random(f"{self.seed}:suppliers")
        for name in _SUPPLIERS:
            self.people += 1
            contact = self._contact(rng, _month_start(self.first_month - 24), name, _cif(rng), _company_email(name))
            contact.update(type="supplier", tradeName=name, tags=["proveedor"])

    def _contact(self, rng: random.Random, created: date, name: str, code: str, email: str) -> JsonObject:
        city, province, postal_prefix = rng.choice(_CITIES)
        contact = {
            "id": _object_id(rng, created),
            "customId": f"CLI{self.people:05d}",
            "name": name,
            "code": code,
            "tradeName": "",
            "email": email,
            "mobile": f"+34 6{rng.randrange(10**8):08d}",
            "phone": f"+34 9{rng.randrange(10**8):08d}" if rng.random() < 0.2 else "",
            "type": "client",
            "billAddress": {
                "address": f"{rng.choice(_STREETS)} {rng.randint(1, 120)}",
                "city": city,
                "postalCode": f"{postal_prefix}{rng.randrange(1000):03d}",
                "province": province,
                "country": "España",
                "countryCode": "ES",
            },
            "tags": [],
        }
        self.contacts.append(contact)
        return contact

    def _new_identity(self, rng: random.Random) -> tuple[str, str, str]:
        """A new person's first name, last names and e-mail (unique, lower case)."""
        self.people += 1
        first, last = rng.choice(_FIRST_NAMES), f"{rng.choice(_LAST_NAMES)} {rng.choice(_LAST_NAMES)}"
        email = f"{_ascii(first)}.{_ascii(last.split()[0])}.{self.people}@{rng.choice(_EMAIL_DOMAINS)}".lower()
        return first, last, email

    def _new_customer(self, rng: random.Random, day: date) -> _Customer:
        first, last, email = self._new_identity(rng)
        contact = self._contact(rng, day, f"{first} {last}", _personal_tax_id(rng), email)
        contact["tags"] = ["alumno"]
        self._maybe_add_notion_pages(rng, day, contact)
        if rng.random() < _OTHER_EMAIL_SHARE:
            email = f"{_ascii(first)}{self.people}@4geeks-students.com".lower()
        user = self._add_student(rng, day, first, last, _as_typed(rng, email))
        return _Customer(contact, user)

    def _add_student(self, rng: random.Random, day: date, first: str, last: str, email: str) -> JsonObject:
        """An active 4Geeks academy student (a ProfileAcademy) and its user, which is returned."""
        user = {"id": self.next_user_id, "email": email, "first_name": first, "last_name": last}
        self.next_user_id += 1
        self._add_profile(rng, day, first, last, email, user)
        return user

    def _add_profile(
        self, rng: random.Random, day: date, first: str, last: str, email: str, user: JsonObject | None
    ) -> None:
        """A 4Geeks ProfileAcademy: its ``id`` is not the user's, and an invited one has no user.
        (The 4Geeks twin adds the ``academy``, which is the server's.)"""
        self.students.append(
            {
                "id": self.next_profile_id,
                "first_name": first,
                "last_name": last,
                "user": user,
                "role": {"id": "student", "slug": "student", "name": "Student"},
                "created_at": _drf_time(rng, day),
                "email": email,
                "address": None,
                "phone": f"+34 6{rng.randrange(10**8):08d}",
                "status": "ACTIVE" if user is not None else "INVITED",
            }
        )
        self.next_profile_id += 1

    def _new_company(self, rng: random.Random, day: date) -> JsonObject:
        self.people += 1
        name = f"{rng.choice(_COMPANY_WORDS)} {rng.choice(_COMPANY_KINDS)} {self.people} S.L."
        contact = self._contact(rng, day, name, _cif(rng), _company_email(name))
        contact["tradeName"] = name.removesuffix(" S.L.")
        contact["tags"] = ["empresa"]
        self._maybe_add_notion_pages(rng, day, contact)
        return contact

    def _maybe_add_notion_pages(self, rng: random.Random, day: date, contact: JsonObject) -> None:
        if rng.random() < _NOTION_PAGE_SHARE:
            self._add_notion_page(rng, day, contact["name"], contact["email"], contact["id"])
        if rng.random() < 0.01:  # a lead typed in by hand: no Holded ID and no e-mail
            self._add_notion_page(rng, day, contact["name"].split()[0], None, None)

    def _add_notion_page(
        self, rng: random.Random, day: date, name: str, email: str | None, holded_id: str | None
    ) -> None:
        page_id = _uuid(rng)
        first, _, rest = name.partition(" ")
        title = [_rich_text(f"{first} "), _rich_text(rest)] if rest and rng.random() < 0.03 else [_rich_text(name)]
        moment = _notion_time(rng, day)
        self.notion_pages.append(
            {
                "object": "page",
                "id": page_id,
                "created_time": moment,
                "last_edited_time": moment,
                "archived": False,
                "url": f"https://www.notion.so/{page_id.replace('-', '')}",
                "properties": {
                    "Name": {"id": "title", "type": "title", "title": title},
                    "Email": {"id": "%3FxBf", "type": "email", "email": email},
                    "Holded ID": {
                        "id": "Ld%5Cq",
                        "type": "rich_text",
                        "rich_text": [_rich_text(holded_id)] if holded_id else [],
                    },
                },
            }
        )

    # --- billing -------------------------------------------------------------------------------

    def bill_month(self, month: int, invoices: int, keep: bool) -> None:
        """Bill one month; the invoices of a warm-up month (``keep`` False) are not kept."""
        rng = random.Random(f"{self.seed}:billing:{month}")
        first_day = _month_start(month)
        self.running = [billable for billable in self.running if billable[0].cohort.ending_month >= month]
        opening = [
            cohort for kickoff in range(month - 1, month + 3) for cohort in self.cohorts_by_kickoff.get(kickoff, ())
        ]
        days = calendar.monthrange(first_day.year, first_day.month)[1]
        drafts = [
            self._invoice(rng, month, first_day + timedelta(days=rng.randrange(days)), opening) for _ in range(invoices)
        ]
        for _ in range(invoices // 100 + 1):  # scholarships: enrolled, never invoiced, not a contact
            first, last, email = self._new_identity(rng)
            self._enroll(rng, month, opening, self._add_student(rng, first_day, first, last, email))
        for _ in range(invoices // 200 + 1):
            first, last, email = self._new_identity(rng)
            self._add_profile(rng, first_day, first, last, email, None)
        drafts.sort(key=lambda invoice: invoice["date"])
        year = month // 12
        for invoice in drafts:
            self.doc_numbers[year] = self.doc_numbers.get(year, 0) + 1
            invoice["docNumber"] = f"F{year % 100:02d}{self.doc_numbers[year]:04d}"
        if keep:
            self.invoices.extend(drafts)
            self.invoices_by_month[month] = drafts
            self._refund_month(month, invoices)

    def _refund_month(self, month: int, invoices: int) -> None:
        """Credit notes dated in ``month``, each refunding one line of an invoice of its month or the ones before
        (from its own random stream, so the invoices are those of a history without refunds)."""
        rng = random.Random(f"{self.seed}:refunds:{month}")
        first_day = _month_start(month)
        refundable = [
            invoice
            for earlier in range(month - _REFUND_MONTHS + 1, month + 1)
            for invoice in self.invoices_by_month.get(earlier, ())
        ]
        last_day = calendar.monthrange(first_day.year, first_day.month)[1]
        notes = []
        for _ in range(round(invoices * _REFUND_SHARE) if refundable else 0):
            invoice = rng.choice(refundable)
            invoiced = date.fromordinal(_EPOCH_ORDINAL + invoice["date"] // 86_400)
            earliest = max(first_day, invoiced)
            day = earliest + timedelta(days=rng.randrange(last_day - earliest.day + 1))
            line = dict(rng.choice(invoice["products"]))
            if rng.random() < 0.5:  # half the course refunded
                line["price"] = _money(round(line["price"] * 100) // 2)
            note = self._invoice_document(rng, day, {"id": invoice["contact"], "name": invoice["contactName"]}, [line])
            note.update(status=0, paymentsTotal=0.0, paymentsPending=0.0, paymentsRefunds=0)
            if rng.random() >= _REFUND_NAMING_NO_INVOICE_SHARE:
                note["from"] = {"id": invoice["id"], "docType": "invoice"}
            notes.append(note)
        notes.sort(key=lambda note: note["date"])
        for number, note in enumerate(notes, start=1):
            note["docNumber"] = f"R{first_day.year % 100:02d}{month % 12 + 1:02d}{number:03d}"
        self.credit_notes.extend(notes)

    def _invoice(self, rng: random.Random, month: int, day: date, opening: list[_Cohort]) -> JsonObject:
        if rng.random() < _WALK_IN_SHARE:
            return self._company_invoice(rng, day)
        if not self.running or rng.random() < _NEW_ENROLLMENT_SHARE:
            customer = self._enrolling_customer(rng, day)
            enrollment = self._enroll(rng, month, opening, customer.user)
            customer.codes.add(enrollment.cohort.code)
            self.running.append((enrollment, customer))
        else:
            enrollment, customer = rng.choice(self.running)
        return self._enrollment_invoice(rng, day, enrollment, customer)

    def _enrolling_customer(self, rng: random.Random, day: date) -> _Customer:
        if self.customers and rng.random() < _RETURNING_STUDENT_SHARE:
            return rng.choice(self.customers)
        customer = self._new_customer(rng, day)
        self.customers.append(customer)
        return customer

    def _enroll(self, rng: random.Random, month: int, opening: list[_Cohort], user: JsonObject) -> _Enrollment:
        cohort = rng.choice(opening)
        enrolled_on = max(_month_start(month), cohort.kickoff - timedelta(days=rng.randrange(75)))
        enrollment = _Enrollment(
            id=self.next_enrollment_id,
            user=user,
            cohort=cohort,
            created_at=_drf_time(rng, enrolled_on),
            installments=rng.choice((1, 2, 3, 4, 6, 10)),
            status_draw=rng.random(),
            finance_draw=rng.random(),
        )
        self.next_enrollment_id += 1
        self.enrollments.append(enrollment)
        return enrollment

    def _enrollment_invoice(
        self, rng: random.Random, day: date, enrollment: _Enrollment, customer: _Customer
    ) -> JsonObject:
        """An installment of the enrollment's program, sometimes with fees of the same program."""
        program = _PROGRAMS_BY_CODE[enrollment.cohort.code]
        installment = _divide_rounding_half_up(program.price_cents, enrollment.installments)
        products = [
            self._line(
                rng,
                program.code,
                f"{program.name} - cuota",
                installment,
                units=_pick(rng, ((1, 0.9), (2, 0.98)), 3),
                tax=21 if rng.random() < 0.35 else 0,
                discount=_pick(rng, ((0, 0.7), (5, 0.8), (10, 0.92)), 15),
                enrolled=customer.codes,
            )
        ]
        for _ in range(_pick(rng, ((0, 0.75), (1, 0.93)), 2)):
            name, price = rng.choice((("Matrícula", 25_000), ("Reserva de plaza", 49_000), ("Material", 8_990)))
            products.append(
                self._line(rng, program.code, name, price, units=1, tax=21, discount=0, enrolled=customer.codes)
            )
        return self._invoice_document(rng, day, customer.contact, products)

    def _company_invoice(self, rng: random.Random, day: date) -> JsonObject:
        """Training bought by a company (a contact with no student): seats in any program."""
        if self.companies and rng.random() < 0.15:
            company = rng.choice(self.companies)
        else:
            company = self._new_company(rng, day)
            self.companies.append(company)
        products = []
        for _ in range(_pick(rng, ((1, 0.8),), 2)):
            program = rng.choice(_PROGRAMS)
            line = self._line(
                rng,
                program.code,
                f"{program.name} - formación bonificada",
                program.price_cents,
                units=_pick(rng, ((1, 0.7), (2, 0.9)), 3),
                tax=0,
                discount=rng.choice((0, 10)),
                enrolled=None,
            )
            products.append(line)
        return self._invoice_document(rng, day, company, products)

    def _line(
        self,
        rng: random.Random,
        code: str,
        name: str,
        price_cents: int,
        *,
        units: int,
        tax: int,
        discount: int,
        enrolled: set[str] | None,
    ) -> JsonObject:
        """An invoice line for program ``code``. Now and then it names a program the customer is not
        ``enrolled`` in instead (None: not a student, nothing to swap), or has no service that is in
        the catalog."""
        draw = rng.random()
        if draw < _UNENROLLED_LINE_SHARE and enrolled is not None:
            code = rng.choice([other for other in _PROGRAMS_BY_CODE if other not in enrolled] or [code])
        line = {
            "name": name,
            "desc": "",
            "price": _money(price_cents),
            "units": units,
            "tax": tax,
            "discount": discount,
            "sku": code,
            "productId": None,
            "serviceId": self.service_ids[code],
        }
        if _UNENROLLED_LINE_SHARE <= draw < _UNENROLLED_LINE_SHARE + _BAD_SERVICE_LINE_SHARE:
            if rng.random() < 0.5:
                del line["serviceId"]
                line["sku"] = ""
            else:
                line["serviceId"] = f"{rng.getrandbits(96):024x}"
        return line

    def _invoice_document(
        self, rng: random.Random, day: date, contact: JsonObject, products: list[JsonObject]
    ) -> JsonObject:
        subtotal, discount, tax, total = invoice_totals(products)
        status = self._payment_status(rng, day)
        paid = {0: 0.0, 1: total, 2: round(total / 2, 2)}[status]
        return {
            "id": _object_id(rng, day),
            "contact": contact["id"],
            "contactName": contact["name"],
            "desc": "",
            "date": _unix(day),
            "dueDate": _unix(day + timedelta(days=_DUE_DAYS)),
            "notes": "",
            "products": products,
            "tax": tax,
            "subtotal": subtotal,
            "discount": discount,
            "total": total,
            "status": status,
            "docNumber": "",  # numbered once the month is sorted by date
            "currency": "eur",
            "currencyChange": 1,
            "paymentsTotal": paid,
            "paymentsPending": round(total - paid, 2),
            "paymentsRefunds": 0,
        }

    def _payment_status(self, rng: random.Random, day: date) -> int:
        """Holded's ``status``: 0 unpaid, 1 paid, 2 partially paid; recent invoices are often unpaid."""
        draw = rng.random()
        if (self.as_of - day).days <= 45:
            return 0 if draw < 0.5 else 1
        return 1 if draw < 0.9 else 2 if draw < 0.95 else 0

    # --- result --------------------------------------------------------------------------------

    def result(self) -> RevenueData:
        cohorts = [self._cohort_json(cohort) for cohort in self.cohorts]
        return RevenueData(
            start=_month_start(self.first_month),
            end=self.as_of,
            services=self.services,
            contacts=self.contacts,
            invoices=self.invoices,
            credit_notes=self.credit_notes,
            students=self.students,
            cohorts=cohorts,
            enrollments=self._enrollments_json({cohort["id"]: cohort for cohort in cohorts}),
            notion_pages=self.notion_pages,
        )

    def _stage(self, cohort: _Cohort) -> str:
        if cohort.ending < self.as_of:
            return "ENDED"
        if cohort.kickoff >= self.as_of:
            return "PREWORK"
        return "FINAL_PROJECT" if (cohort.ending - self.as_of).days < 21 else "STARTED"

    def _cohort_json(self, cohort: _Cohort) -> JsonObject:
        return {
            "id": cohort.id,
            "slug": cohort.slug,
            "name": cohort.name,
            "stage": self._stage(cohort),
            "kickoff_date": _iso_midnight(cohort.kickoff),
            "ending_date": _iso_midnight(cohort.ending),
            "never_ends": False,
            "language": "es",
        }

    def _enrollments_json(self, cohorts: dict[int, JsonObject]) -> list[JsonObject]:
        """The students' cohort users, then a teacher for each cohort with students."""
        summary_keys = ("id", "slug", "name", "stage", "kickoff_date", "ending_date")
        summaries = {cohort_id: {key: cohort[key] for key in summary_keys} for cohort_id, cohort in cohorts.items()}
        rows = [
            {
                "id": enrollment.id,
                "user": enrollment.user,
                "cohort": summaries[enrollment.cohort.id],
                "role": "STUDENT",
                "educational_status": self._educational_status(enrollment),
                "finantial_status": _finantial_status(enrollment.finance_draw),
                "created_at": enrollment.created_at,
            }
            for enrollment in self.enrollments
        ]
        taught = sorted({enrollment.cohort.id for enrollment in self.enrollments})
        for offset, cohort_id in enumerate(taught):
            rows.append(
                {
                    "id": self.next_enrollment_id + offset,
                    "user": _TEACHER_USERS[cohort_id % len(_TEACHER_USERS)],
                    "cohort": summaries[cohort_id],
                    "role": "TEACHER",
                    "educational_status": "ACTIVE",
                    "finantial_status": None,
                    "created_at": summaries[cohort_id]["kickoff_date"],
                }
            )
        return rows

    def _educational_status(self, enrollment: _Enrollment) -> str:
        draw = enrollment.status_draw
        if enrollment.cohort.ending < self.as_of:
            choices = (("GRADUATED", 0.72), ("DROPPED", 0.84), ("NOT_COMPLETING", 0.9), ("POSTPONED", 0.95))
        else:
            choices = (("ACTIVE", 0.85), ("POSTPONED", 0.92), ("DROPPED", 0.97))
        return next((status for status, below in choices if draw < below), "SUSPENDED")


def _cohort(rng: random.Random, program: _Program, index: int, number: int, month: int) -> _Cohort:
    kickoff = _month_start(month) + timedelta(days=rng.randrange(20))
    months = rng.randint(program.shortest_months, program.longest_months)
    ending = _add_months(kickoff, months) - timedelta(days=1)  # mostly mid-month
    if months > program.shortest_months and rng.random() < 0.3:  # some end with the month before
        ending = ending.replace(day=1) - timedelta(days=1)
    return _Cohort(
        id=1_000 + number * 10 + index,
        slug=f"{program.code}-{number}",
        name=f"{program.name} #{number}",
        code=program.code,
        kickoff=kickoff,
        ending=ending,
    )


def _finantial_status(draw: float) -> str:
    return "FULLY_PAID" if draw < 0.4 else "UP_TO_DATE" if draw < 0.85 else "LATE"


def _ascii(text: str) -> str:
    return text.translate(_ASCII).replace(" ", "")


_ASCII = str.maketrans("áéíóúÁÉÍÓÚñÑüÜ", "aeiouAEIOUnNuU")


def _as_typed(rng: random.Random, email: str) -> str:
    """The e-mail as the student typed it into 4Geeks: now and then capitalised, upper case or
    with a stray space; the same address once normalised (stripped, lower case)."""
    draw = rng.random()
    if draw < 0.05:
        local, _, domain = email.partition("@")
        return f"{local.capitalize()}@{domain.capitalize()} "
    if draw < 0.08:
        return email.upper()
    if draw < 0.1:
        return f" {email}"
    return email


def _personal_tax_id(rng: random.Random) -> str:
    """A Spanish DNI (8 digits and a letter) or, for one in five, an NIE (X/Y/Z, 7 digits, a letter)."""
    if rng.random() < 0.2:
        prefix = rng.randrange(3)
        number = rng.randrange(10**7)
        return f"{'XYZ'[prefix]}{number:07d}{_TAX_ID_LETTERS[(prefix * 10**7 + number) % 23]}"
    number = rng.randrange(10**7, 10**8)
    return f"{number:08d}{_TAX_ID_LETTERS[number % 23]}"


def _cif(rng: random.Random) -> str:
    """A Spanish company tax id (CIF) of a limited company: ``B``, 7 digits and a control digit."""
    digits = [rng.randrange(10) for _ in range(7)]
    even = sum(digits[1::2])
    odd = sum(sum(divmod(2 * digit, 10)) for digit in digits[0::2])
    control = (10 - (even + odd) % 10) % 10
    return "B" + "".join(map(str, digits)) + str(control)


def _company_email(name: str) -> str:
    return f"facturacion@{_ascii(name.removesuffix(' S.L.')).lower()}.es"
