import random

import pytest

from mangnon.core.names import NameParts, name_sort_key, split_name, vi_sort_key


@pytest.mark.parametrize(
    ("full_name", "expected"),
    [
        ("Nguyễn Thị Minh Khai", NameParts("Nguyễn", "Thị Minh", "Khai")),
        ("Lê Văn Tám", NameParts("Lê", "Văn", "Tám")),
        ("  Trần   Hưng  Đạo ", NameParts("Trần", "Hưng", "Đạo")),
        ("Hoa", NameParts("", "", "Hoa")),
        ("Phạm Ánh", NameParts("Phạm", "", "Ánh")),
        ("Tôn Nữ Thị Ninh", NameParts("Tôn Nữ", "Thị", "Ninh")),
        ("Tôn Thất Thuyết", NameParts("Tôn Thất", "", "Thuyết")),
        ("Nguyễn Phúc Vĩnh Lộc", NameParts("Nguyễn Phúc", "Vĩnh", "Lộc")),
        ("âu dương lan", NameParts("âu dương", "", "lan")),
        # A compound surname needs a tên after it; two words are họ + tên.
        ("Âu Dương", NameParts("Âu", "", "Dương")),
        ("", NameParts("", "", "")),
        ("   ", NameParts("", "", "")),
    ],
)
def test_split_name(full_name, expected):
    assert split_name(full_name) == expected


def test_split_name_accepts_decomposed_unicode():
    parts = split_name("Nguye\u0302\u0303n Va\u0306n A\u0301nh")
    assert parts == NameParts("Nguyễn", "Văn", "Ánh")
    assert parts.full == "Nguyễn Văn Ánh"


def test_vi_sort_key_orders_the_vietnamese_alphabet():
    expected = ["An", "Anh", "Ánh", "Ăn", "Âu", "Bình", "Dũng", "Đức", "O", "Ô", "Ơn"]
    shuffled = expected[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled, key=vi_sort_key) == expected
    # Python's code-point order gets Đ and the vowels with marks wrong; the key does not.
    assert sorted(expected) != expected


def test_vi_sort_key_is_lowercase_hex_text():
    key = vi_sort_key("Đức")
    assert key == key.lower()
    int(key, 16)
    assert vi_sort_key("Đức") == vi_sort_key("Đu\u031b\u0301c")  # composed or not, same key


def test_full_names_sort_by_ten_then_ho_then_ten_dem():
    expected = [
        "Trần Văn An",
        "Lê Thị Anh",
        "Nguyễn Thị Anh",
        "Nguyễn Văn Anh",
        "Phạm Ánh",
        "Hoàng Thị Bình",
        "Đặng Văn Dũng",
        "Bùi Minh Đức",
        "Đỗ Văn Đức",
        "Ngô Thị Ơn",
    ]
    shuffled = expected[:]
    random.Random(3).shuffle(shuffled)
    assert sorted(shuffled, key=name_sort_key) == expected


def test_name_sort_key_is_text_ordered_the_same_way():
    # Stored in a column, the key must order as text: compare the strings, not the names.
    keys = [name_sort_key(n) for n in ("Lê An", "Lê Anh", "Nguyễn Văn Ánh", "A Đức")]
    assert keys == sorted(keys)
