"""The learned model (issue 12): a safe file versioned with its corpus, inference equal to what
was fitted, findings that quote the message, and the combined screener's promises."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faircollect import screening_training as training
from faircollect.domain.compliance.findings import Label, Source
from faircollect.domain.compliance.screener import (
    default_model,
    default_screener,
    lexicon_screener,
    screen,
)
from faircollect.domain.compliance.screener.model import WINDOW, load_model, windows_of
from faircollect.domain.compliance.screener.normalise import Normalised

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def corpus() -> training.Corpus:
    return training.load_corpus(training.corpus_paths(ROOT), ROOT)


def test_the_shipped_model_was_trained_on_the_corpus_in_the_repository(
    corpus: training.Corpus,
) -> None:
    """Change the corpus and this fails until `make train-screener` is run."""
    meta = default_model().meta
    assert meta["corpus_sha256"] == corpus.digest
    assert meta["messages"] == len(corpus.rows) >= 2500
    assert meta["version"].split("-")[1] == corpus.digest[:12]  # messages-corpus-weights


def test_the_corpus_has_the_size_and_mix_the_issue_asks_for(corpus: training.Corpus) -> None:
    lawful = sum(row.lawful for row in corpus.rows)
    assert len(corpus.rows) >= 2500 and lawful * 3 >= len(corpus.rows)
    assert {label for row in corpus.rows for label in row.labels} == set(Label)


def test_every_lawful_message_of_the_corpus_passes(corpus: training.Corpus) -> None:
    flagged = [row.id for row in corpus.rows if row.lawful and screen(row.text)]
    assert flagged == []


def test_training_never_reads_a_blind_set(tmp_path: Path) -> None:
    (tmp_path / "tests" / "data").mkdir(parents=True)
    (tmp_path / "corpus" / "screen").mkdir(parents=True)
    (tmp_path / "corpus" / "screen" / "screen_blind.jsonl").write_text("{}\n")
    with pytest.raises(training.CorpusError, match="blind"):
        training.corpus_paths(tmp_path)


def test_a_bad_corpus_line_is_named_by_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "part.jsonl"
    good = {"id": "a", "text": "你好", "labels": [], "kind": "lawful"}
    bad = {"id": "b", "text": "傻逼", "labels": ["rude"], "kind": "violation"}
    path.write_text(f"{json.dumps(good)}\n{json.dumps(bad)}\n", encoding="utf-8")
    with pytest.raises(training.CorpusError, match=r"part.jsonl: line 2: field 'labels'"):
        training.load_corpus([path])


def test_the_model_file_holds_no_pickle_and_a_bad_one_is_refused() -> None:
    model = default_model()
    data = (ROOT / training.MODEL_PATH).read_bytes()
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:  # would raise on objects
        assert {array.dtype.kind for array in arrays.values()} <= {"u", "f"}
    assert model.meta["format"] == 2
    broken = io.BytesIO()
    np.savez(broken, weights=np.zeros((1, 9)))
    with pytest.raises(ValueError, match="missing"):
        load_model(broken.getvalue())


def test_inference_equals_the_fitted_model_and_training_is_reproducible(
    corpus: training.Corpus,
) -> None:
    """The screener's numpy margins are the fitted logistic regressions' decision values, and
    the same corpus gives the same file byte for byte."""
    rows = [row for row in corpus.rows if row.source == "part1.jsonl"][:160]
    prepared = training.prepare(rows)
    fitted = training.fit_on(prepared)
    short = [i for i, normal in enumerate(prepared.normals) if len(normal.text) <= WINDOW]
    expected = fitted.whole_margins([prepared.feature_sets[i] for i in short])
    got = fitted.margins([prepared.normals[i] for i in short])
    np.testing.assert_allclose(got, expected, atol=1e-4)
    small = training.Corpus(rows, {"part": "x"})
    assert training.train(small).data == training.train(small).data


def test_thresholds_are_chosen_on_out_of_fold_margins_of_the_whole_corpus(
    corpus: training.Corpus,
) -> None:
    """Training scores every message by a fit on the other folds, chooses each label's
    threshold there, and only raises it above the lawful messages' margins under the final
    fit; the shipped file says so."""
    rows = [row for row in corpus.rows if row.source == "part7.jsonl"][:200]
    trained = training.train(training.Corpus(rows, {"part": "x"}))
    prepared = training.prepare(rows)
    oof = training.oof_margins(prepared)
    np.testing.assert_array_equal(trained.oof_margins, oof)
    final = training.fit_on(prepared)
    lawful = final.screened_margins(prepared.subset(~prepared.y.any(axis=1)))
    expected = training.lawful_guard(training.choose_thresholds(oof, prepared.y), lawful)
    np.testing.assert_allclose(training.model_of(trained).thresholds, expected)
    meta = default_model().meta
    assert meta["threshold_rule"] == "out-of-fold margins of the whole corpus"
    assert meta["folds"] == training.FOLDS
    assert all(
        meta["threshold_probabilities"][label] >= probability
        for label, probability in meta["cv_threshold_probabilities"].items()
    )


def test_thresholds_give_the_precision_target_on_the_rows_they_were_chosen_on() -> None:
    margins = np.array([[3.0], [2.0], [1.5], [1.0], [0.5], [-1.0]])
    truth = np.array([[True], [True], [False], [True], [False], [False]])
    margins9 = np.repeat(margins, 9, axis=1)
    truth9 = np.repeat(truth, 9, axis=1)
    thresholds = training.choose_thresholds(margins9, truth9)
    assert list(thresholds) == [2.0] * 9  # 1.5 would let a false positive in


def normal_of(text: str) -> Normalised:
    return lexicon_screener().normalise(text)


def test_long_texts_are_scored_whole_and_in_windows_of_whole_clauses() -> None:
    clause = "您好这是一段很普通的还款提醒内容"  # 16 normal characters
    normal = normal_of("，".join([clause] * 12))
    whole, *windows = windows_of(normal)
    assert whole == (0, len(normal.text))
    starts = [start for start, _ in windows]
    assert starts == sorted(set(starts)) and starts[0] == 0  # from clause after clause
    assert set(starts) <= {0, *normal.breaks}
    assert windows[-1][1] == len(normal.text)
    assert all(end - start <= WINDOW for start, end in windows)
    ends = [end for _, end in windows]
    assert ends == sorted(set(ends))  # none lies inside the one before
    assert windows_of(normal_of(clause)) == [(0, len(clause))]


def test_scoring_many_texts_at_once_equals_scoring_each_alone(corpus: training.Corpus) -> None:
    """The stream scores its lines in batches: the same margins and findings as one by one,
    whatever the mix (empty, pinyin-typed, long texts read in windows)."""
    model = default_model()
    texts = ["", "shabi nmsl 还钱", *(row.text for row in corpus.rows[::7])]
    normals = [normal_of(text) for text in texts]
    together = model.best_margins_many(normals)
    for normal, margins in zip(normals, together, strict=True):
        np.testing.assert_allclose(margins, model.best_margins(normal)[0], atol=1e-9)
    assert any(len(normal.text) > WINDOW for normal in normals)
    batch = default_screener().screen_many(texts)
    assert batch == [default_screener().screen(text) for text in texts]


def test_a_feature_key_spells_its_gram() -> None:
    reader = default_model().phonetics
    spelled = [reader.spell(int(key)) for key in reader.keys("傻逼12")]
    assert spelled[:4] == ["傻", "逼", "0", "0"]  # digits fold to 0
    assert "傻逼" in spelled and "逼0" in spelled and "_sha_bi" in spelled
    typed = [reader.spell(int(key)) for key in reader.keys("shabi")]
    assert "_sha_bi" in typed  # typed pinyin meets the characters' syllable gram


def test_a_threat_inside_a_long_lawful_letter_scores_above_the_letter_as_a_whole(
    corpus: training.Corpus,
) -> None:
    threat = "你女儿在哪个学校读书几点放学我们都清楚，你看着办"
    lawful = "，".join(row.text for row in corpus.rows if row.kind == "lawful")
    text = lawful[:300] + "。" + threat + "。" + lawful[300:600]
    model = default_model()
    column = model.labels.index(Label.VIOLENCE_THREAT)
    best, windows = model.best_margins(normal_of(text))
    assert best[column] > model.margins(normal_of(text).text)[column]
    assert windows[column] != (0, len(normal_of(text).text))


def model_only_violations(corpus: training.Corpus) -> list[str]:
    found = []
    for row in corpus.rows:
        if row.lawful or lexicon_screener().screen(row.text):
            continue
        if any(f.source is Source.MODEL for f in screen(row.text)):
            found.append(row.text)
    return found


def test_model_findings_say_so_and_quote_the_message(corpus: training.Corpus) -> None:
    texts = model_only_violations(corpus)
    assert len(texts) > 100
    for text in texts[:200]:
        for finding in screen(text):
            assert finding.source is Source.MODEL
            assert finding.probability is not None and 0.5 <= finding.probability <= 1
            assert text[finding.start : finding.end] == finding.evidence
            assert finding.evidence.strip()


def test_lexicon_findings_stay_as_they_were(corpus: training.Corpus) -> None:
    """The combined screener adds to the lexicon, never changes or drops a lexicon finding."""
    for row in corpus.rows[:800]:
        lexicon = lexicon_screener().screen(row.text)
        combined = default_screener().screen(row.text)
        assert set(lexicon) <= set(combined)
        added = set(combined) - set(lexicon)
        assert all(f.source is Source.MODEL for f in added)
        assert not {f.label for f in added} & {f.label for f in lexicon}


NOISE = st.sampled_from([" ", "*", "\u200b", "。", "🙂", "Ａ", "殺", "a", "你", "\n", "ｓｈａ"])


@settings(max_examples=150, deadline=None)
@given(st.lists(NOISE | st.sampled_from(["知道你孩子在哪个幼儿园", "派五个人去你家"]), max_size=10))
def test_model_evidence_is_the_original_slice_whatever_surrounds_it(pieces: list[str]) -> None:
    text = "".join(pieces)
    for finding in screen(text):
        assert text[finding.start : finding.end] == finding.evidence
        assert 0 <= finding.start < finding.end <= len(text)
