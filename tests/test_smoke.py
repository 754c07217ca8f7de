from conftest import PAIR_NAME


def test_facilitator_sees_their_pair_on_home(as_person):
    page = as_person("facilitator").get("/").get_data(as_text=True)
    assert PAIR_NAME in page
    assert "Cole Coworker" in page
