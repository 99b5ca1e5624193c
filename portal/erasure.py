"""What the apps above tenants keep or change when an enterprise is erased or a person deletes their
account (tenants/lifecycle.py, tenants/accounts.py): tenants may not import them; the portal may.
Registered once at start-up by PortalConfig.ready()."""


def register_erasure() -> None:
    from tenants import accounts, lifecycle

    def zh(enterprise_id: int) -> str:
        return lifecycle.pseudonym(enterprise_id)[0]

    def en(enterprise_id: int) -> str:
        return lifecycle.pseudonym(enterprise_id)[1]

    # The published facts the regional reports sum stay, de-identified: the names become the
    # tombstone's pseudonym; the figures, the city, the industry and the size (revenue band) stay.
    lifecycle.keep_on_erase(
        "review.AssessmentFact", rewrite={"enterprise_name": zh, "enterprise_name_en": en}
    )
    lifecycle.keep_on_erase("lending.FinancingFact")
    lifecycle.keep_on_erase("hall.ExhibitionFact", rewrite={"live": lambda _id: False})

    accounts.on_account_delete(_buyer_anonymise)
    accounts.on_account_delete(_assessor_release)


def _buyer_anonymise(*, user, pseudonym: str) -> None:
    """A buyer's inquiries and bookings stay (the exhibition facts count them) without their name,
    address, company or words."""
    from exhibition.hall.models import Booking, Inquiry

    Inquiry.objects.filter(buyer=user).update(
        buyer_name=f"#{pseudonym}",
        buyer_email=f"deleted-{pseudonym}@deleted.invalid",
        company="",
        message="",
        reply="",
    )
    Booking.objects.filter(buyer=user).update(note="")


def _assessor_release(*, user, pseudonym: str) -> None:
    from manufacturing.review.assignments import assignments_release

    assignments_release(assessor=user, label=f"#{pseudonym}")
