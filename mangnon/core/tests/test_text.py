import pytest

from mangnon.core.text import normalize_name, strip_diacritics


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Nguyễn Văn An", "nguyen van an"),
        ("  ĐẶNG   Thị  Ánh ", "dang thi anh"),
        ("Lò Thị Huyền Trang", "lo thi huyen trang"),
        ("Phường Hạ Long", "phuong ha long"),
        ("", ""),
    ],
)
def test_normalize_name(raw, expected):
    assert normalize_name(raw) == expected


def test_normalize_name_treats_composed_and_decomposed_forms_alike():
    composed = "Nguyễn"
    decomposed = "Nguye\u0302\u0303n"
    assert normalize_name(composed) == normalize_name(decomposed) == "nguyen"


def test_strip_diacritics_maps_d_stroke():
    assert strip_diacritics("Đức đi") == "Duc di"
