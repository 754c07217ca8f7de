from conftest import PAIR_NAME


def test_facilitator_sees_their_pair_on_home(as_person):
    page = as_person("facilitator").get("/").get_data(as_text=True)
    assert PAIR_NAME in page
    assert "Cole Coworker" in page


def test_no_write_transaction_starts_outside_the_one_helper():
    """docs/design.md "Writing to the database": sqlite-utils' atomic() opens a deferred BEGIN,
    which fails at once under a second writer. Only `db.writing()` may open a transaction."""
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "wellbeing"
    found = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        if path.name != "db.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "atomic(" in line or '"BEGIN' in line or "'BEGIN" in line or ".commit()" in line
    ]
    assert found == []
