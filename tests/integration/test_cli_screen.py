"""The CLI contracts of issue 3: ``faircollect screen`` and ``faircollect check-message``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from faircollect.cli.app import app

runner = CliRunner()


def run(args: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, args, input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_screen_writes_one_line_per_input_in_order() -> None:
    lines = [
        {"id": "m1", "text": "傻逼,明天就爆你通讯录"},
        {"id": 2, "text": "【安信消费金融】您本期应还1,256.30元,还款日12月5日。"},
        {"id": "m3", "text": "再不還錢打斷你的腿"},
    ]
    code, out, _ = run(["screen"], "\n".join(json.dumps(x, ensure_ascii=False) for x in lines))
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == ["m1", 2, "m3"]
    assert results[0]["labels"] == ["insult", "third_party"]
    lexicon = {"source": "lexicon", "probability": None}
    assert results[0]["findings"] == [
        {"label": "insult", "rule": "CN-PROH-1", "start": 0, "end": 2, "evidence": "傻逼"}
        | lexicon,
        {
            "label": "third_party",
            "rule": "CN-3P-1",
            "start": 6,
            "end": 11,
            "evidence": "爆你通讯录",
        }
        | lexicon,
    ]
    assert results[1] == {"id": 2, "labels": [], "findings": []}
    assert results[2]["findings"][0]["evidence"] == "打斷你的腿"


def test_screen_says_which_findings_the_model_made() -> None:
    """Issue 12: a threat in words no lexicon phrase holds is found by the model, marked as
    such with its probability; its evidence is a slice of the message."""
    text = "你老婆每天下班走的那条小路挺黑的吧。"
    _, out, _ = run(["screen"], json.dumps({"id": 1, "text": text}, ensure_ascii=False) + "\n")
    [result] = [json.loads(line) for line in out.splitlines()]
    assert "violence_threat" in result["labels"]
    [finding] = [f for f in result["findings"] if f["label"] == "violence_threat"]
    assert finding["source"] == "model" and 0.5 <= finding["probability"] <= 1
    assert text[finding["start"] : finding["end"]] == finding["evidence"]


def test_screen_output_is_utf8_chinese_not_escaped() -> None:
    _, out, _ = run(["screen"], '{"id": "x", "text": "你这个废物"}\n')
    assert '"evidence": "废物"' in out
    assert "\\u" not in out


def test_screen_answers_every_line_and_reports_the_bad_ones_with_exit_2() -> None:
    lines = [
        '{"id": "ok", "text": "好"}',
        '{"id": "a"}',
        "not json",
        "",
        '{"text": "无id"}',
        '{"id": "b", "text": 5}',
        '{"id": "last", "text": "傻逼"}',
    ]
    stdin = "\n".join(lines) + "\n"
    code, out, err = run(["screen"], stdin)
    assert code == 2
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["id"] for a in answers] == ["ok", "a", None, None, None, "b", "last"]
    assert answers[0] == {"id": "ok", "labels": [], "findings": []}
    assert answers[6]["labels"] == ["insult"]
    errors = [(a["error"]["line"], a["error"]["field"]) for a in answers if "error" in a]
    assert errors == [(2, "text"), (3, "(line)"), (4, "(line)"), (5, "id"), (6, "text")]
    assert all(a["labels"] == [] and a["findings"] == [] for a in answers if "error" in a)
    assert "stdin line 2: field 'text': missing" in err
    assert "stdin line 3: not valid JSON" in err
    assert "stdin line 4: empty line" in err
    assert "stdin line 5: field 'id': missing" in err
    assert "stdin line 6: field 'text': must be a string" in err
    assert "5 line(s) could not be screened" in err


def test_check_message_explains_a_violation_in_plain_chinese() -> None:
    code, out, _ = run(["check-message", "我是派出所的,再不还钱就打断你的腿"])
    assert code == 1  # a violation: exit 1, so a script can act on it
    assert "“打断你的腿”" in out and "“派出所”" in out
    assert "CN-PROH-1" in out and "催收工作指引" in out
    assert all(word in out for word in ("截图", "录音", "12378", "12363", "110"))


def test_check_message_says_when_the_model_judged_the_wording() -> None:
    code, out, _ = run(["check-message", "你老婆每天下班走的那条小路挺黑的吧。"])
    assert code == 1  # a violation, whoever found it
    assert "模型判断" in out and "110" in out


def test_check_message_reads_stdin_and_says_a_lawful_message_looks_lawful() -> None:
    code, out, _ = run(["check-message"], "您已逾期3天,按合同计收罚息,我司保留依法起诉的权利。\n")
    assert code == 0
    assert "没有发现违法催收的内容" in out
    assert "12368" in out


def test_check_message_without_text_is_an_error() -> None:
    code, _, err = run(["check-message"], "  \n")
    assert code == 2
    assert "请提供" in err


def test_check_message_json_gives_the_verdict_for_programs() -> None:
    code, out, _ = run(["check-message", "--json", "再不还钱就打断你的腿，你这个废物"])
    verdict = json.loads(out)
    assert code == 1 and verdict["lawful"] is False
    assert [p["label"] for p in verdict["problems"]] == ["violence_threat", "insult"]
    assert any("12378" in a for a in verdict["advice"])


def test_screen_answers_a_line_while_its_writer_waits_for_the_answer() -> None:
    """The stream screens waiting lines in batches, but never waits for more lines before
    answering: a program that writes one line and then reads gets its answer."""
    import os
    import select
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "faircollect", "screen"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        for ident, text in (("a", "傻逼"), ("b", "您本期应还100元")):
            line = json.dumps({"id": ident, "text": text}, ensure_ascii=False) + "\n"
            process.stdin.write(line.encode("utf-8"))
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], 60)
            assert ready, f"no answer to line {ident} while the writer waits"
            answer = json.loads(process.stdout.readline())
            assert answer["id"] == ident
        process.stdin.close()
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
