"""Aggregates -> JSON bodies. The only place that knows the public field names."""

from __future__ import annotations

from datetime import date
from typing import Any

from events.jsonable import fields_of, jsonable, rfc3339
from registry import annuities
from registry.ip_rights import REGISTER_FIELDS, IPRight
from registry.pledges import Pledge


def pledge_body(p: Pledge) -> dict[str, Any]:
    released = set(p.released_items)
    filing = p.filing
    return jsonable(
        {
            "id": p.id,
            "registration_number": p.registration_number,
            "status": p.status,
            "pledgee": p.pledgee,
            "pledgor": filing.pledgor,
            "debtor": filing.debtor,
            "co_owner_consents": filing.co_owner_consents,
            "loan": p.loan,
            "secured_amount": p.secured_amount,
            "items": [{**fields_of(i), "released": i in released} for i in p.items],
            "valuation": filing.valuation,
            "risk_compensation": filing.risk_compensation,
            "refusal_reasons": p.refusal_reasons,
            "filed_on": p.filed_on,
            "registered_on": p.registered_on,
            "release": p.release,
            "default": p.default,
            "collateral_at_risk": p.collateral_at_risk,
            "version": p.version,
            "created_at": rfc3339(p.created_on),
            "updated_at": rfc3339(p.modified_on),
        }
    )


def ip_right_body(r: IPRight, today: date) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": r.kind, "number": r.number}
    body.update({f: getattr(r, f) for f in REGISTER_FIELDS})
    body.update(
        {
            "expiry_date": r.expiry_date(),
            "encumbrance": r.encumbrance,
            "next_annuity_due_date": r.next_annuity_due_date(today),
            "annuity_status": r.annuity_status(today),
            "version": r.version,
        }
    )
    return jsonable(body)


def annuity_schedule_body(r: IPRight, today: date) -> dict[str, Any]:
    rows = []
    for fee in annuities.schedule(r.kind, r.filing_date, r.annuity_paid_through_year):
        row: dict[str, Any] = {
            "year": fee.year,
            "due_date": fee.due_date,
            "amount": fee.amount,
            "paid": fee.paid,
        }
        rate = (
            None
            if fee.paid or fee.due_date >= today
            else annuities.surcharge_rate(fee.due_date, today)
        )
        if rate is not None:
            row["surcharge_today"] = (fee.amount * rate).quantize(fee.amount)
        rows.append(row)
    return jsonable(
        {
            "kind": r.kind,
            "number": r.number,
            "annuity_status": r.annuity_status(today),
            "items": rows,
        }
    )
