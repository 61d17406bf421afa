from streaming.asr import LocalAgreement


def test_commits_what_two_hypotheses_agree_on():
    la = LocalAgreement()
    assert la.update(["and", "so"]) == ([], ["and", "so"])
    assert la.update(["And", "so", "my", "fell"]) == (["And", "so"], ["my", "fell"])
    assert la.update(["And", "so", "my", "fellow"]) == (["And", "so", "my"], ["fellow"])


def test_committed_prefix_never_shrinks():
    la = LocalAgreement()
    la.update(["we", "went"])
    la.update(["we", "went", "home"])
    committed, tail = la.update(["he", "went", "home", "early"])
    assert committed == ["we", "went"] and tail == ["home", "early"]
