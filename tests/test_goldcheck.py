"""No phrase rule may touch text known to be clean: the gold check script, and its use here."""

from cleaner.goldcheck import gold_texts, hits, main

from .conftest import CASES, ROOT


def test_no_rule_matches_the_unchanged_cases_or_the_seed_outputs():
    paths = [CASES / "unchanged", CASES / "seeds"]
    assert sum(1 for _ in gold_texts(paths)) >= 20
    assert hits(paths) == []


def test_the_check_reports_a_rule_that_touches_gold(tmp_path, capsys):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "a.txt").write_text("A story.\n\n© 2024 Example Media. All rights reserved.\n", encoding="utf-8")
    (tmp_path / "truth.json").write_text('{"x": {"articleBody": "Photo: Reuters\\n\\nText."}}', encoding="utf-8")
    assert main([str(gold), str(tmp_path / "truth.json")]) == 1
    printed = capsys.readouterr().out
    assert "credits/copyright-all-rights-reserved" in printed and "credits/photo-credit-line" in printed
    assert main([str(ROOT / "seeds" / "000_4fcf716b7bbac16c.txt")]) == 0
    assert main([str(tmp_path / "missing.json")]) == 2
