from applications.models import ApplicationStatus
from tests import flow


def test_draft_to_selected_records_every_step(draft, sme_owner, official, evaluator):
    app = flow.to_selected(draft, sme_owner.user, official.user, evaluator.user)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SELECTED
    assert app.evaluation_score == 80
    steps = list(app.history.values_list("from_status", "to_status"))
    assert steps == [
        ("draft", "submitted"),
        ("submitted", "screening"),
        ("screening", "evaluation"),
        ("evaluation", "selected"),
    ]
    app.call.refresh_from_db()
    assert app.call.committed_krw == 32_000_000
    assert app.call.selected_count == 1
