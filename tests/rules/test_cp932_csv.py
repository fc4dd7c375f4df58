import pytest

from rules.cp932_csv import Cp932Error, cp932_csv


def test_japanese_rows_are_written_in_cp932():
    """Are names with 髙, 﨑 and ① written as CP932 with CRLF lines?"""
    body = cp932_csv(["氏名", "住所"], [["髙橋　健一", "安芸市川北甲7番15号　安芸ハイツ①号室"], ["山﨑　太郎", ""]])
    assert body.decode("cp932") == "氏名,住所\r\n髙橋　健一,安芸市川北甲7番15号　安芸ハイツ①号室\r\n山﨑　太郎,\r\n"


def test_a_character_outside_cp932_refuses_the_whole_file():
    """Is a 𠮷 refused with its line, column and character, instead of being replaced?"""
    with pytest.raises(Cp932Error) as refused:
        cp932_csv(["申請書ID", "氏名"], [["1", "安芸　太郎"], ["2", "𠮷田　𠮷子"], ["3", "🍣"]])
    problems = [(p.line, p.column, p.characters) for p in refused.value.problems]
    assert problems == [(3, "氏名", "𠮷"), (4, "氏名", "🍣")]
    assert refused.value.problems[0].message == "3行目「氏名」の「𠮷」はCP932(Shift_JIS)で書けない文字です。"
