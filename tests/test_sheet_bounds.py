"""Hostile spreadsheets are refused before they are expanded, in a fraction of a second.

Each file goes through `campaign import` in its own process; a wrapper process runs it and
reads its peak memory from getrusage(RUSAGE_CHILDREN), so the figure is that import's alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

# Beyond what the same command takes to refuse a file that does not exist (Python's start,
# opening the workspace): the machine is shared, so the start alone varies from 0.3 to 1 s.
SECONDS = 0.5
MIB = 200

_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({
    "seconds": time.perf_counter() - start,
    "mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    "code": done.returncode,
    "stderr": done.stderr,
}))
"""


def measured_import(workspace: Path, path: Path) -> dict:
    """`campaign import PATH` in a child process: its time, peak memory, exit code, stderr."""
    command = [sys.executable, "-m", "campaign", "--workspace", str(workspace), "import", path]
    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *map(str, command)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
    'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="'
    'application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
    'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main">'
)
_HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Company</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Email</t></is></c></row>'
)


def xlsx(path: Path, sheet_xml: bytes | None = None, *, sheet_part=None) -> Path:
    """A minimal workbook, as Excel lays the parts out, with the given worksheet XML."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        if sheet_part is not None:
            sheet_part(archive)
        else:
            archive.writestr("xl/worksheets/sheet1.xml", sheet_xml or b"")
    return path


def one_far_cell(path: Path, dimension: str) -> Path:
    """One cell at XFD1048576, the last cell Excel has."""
    sheet = (
        f'{_SHEET_HEAD}<dimension ref="{dimension}"/><sheetData>{_HEADER_ROW}'
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return xlsx(path, sheet.encode())


def zip_bomb(path: Path) -> Path:
    """A worksheet of 200 MB of empty rows that deflates to a fifth of a megabyte."""

    def part(archive: zipfile.ZipFile) -> None:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f"{_SHEET_HEAD}<sheetData>{_HEADER_ROW}".encode())
            block = b"<row/>" * 1_000_000
            for _ in range(33):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")

    return xlsx(path, sheet_part=part)


def empty_rows_xlsx(path: Path) -> Path:
    """5 MB of empty rows, stored without compression: only counting them stops it."""

    def part(archive: zipfile.ZipFile) -> None:
        rows = "".join(f'<row r="{n}"/>' for n in range(2, 330_000))
        body = f"{_SHEET_HEAD}<sheetData>{_HEADER_ROW}{rows}</sheetData></worksheet>"
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_STORED
        archive.writestr(info, body)

    return xlsx(path, sheet_part=part)


_ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:'
    'names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:'
    'xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'office:version="1.2"><office:body><office:spreadsheet><table:table table:name="S">'
    "<table:table-row><table:table-cell><text:p>Company</text:p></table:table-cell>"
    "<table:table-cell><text:p>Email</text:p></table:table-cell></table:table-row>"
    '<table:table-row table:number-rows-repeated="{rows}"><table:table-cell '
    'table:number-columns-repeated="{columns}" office:value-type="string"><text:p>x</text:p>'
    "</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>"
    "</office:document-content>"
)


def tiny_ods(path: Path, rows: int, columns: int) -> Path:
    """An .ods of a few hundred bytes whose one cell repeats rows x columns times."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        info = zipfile.ZipInfo("mimetype")
        archive.writestr(info, "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", _ODS_CONTENT.format(rows=rows, columns=columns))
    return path


@pytest.mark.parametrize(
    ("name", "make", "said"),
    [
        (
            "far.xlsx",
            lambda p: one_far_cell(p, "A1:XFD1048576"),
            "far.xlsx: the sheet declares cells up to XFD1048576 (1,048,576 rows by 16,384 "
            "columns; at most 150,000 by 1,000 are read); not read. Is it the right file?",
        ),
        (
            "far_lying.xlsx",  # the dimension says A1:B1; the cell itself is still refused
            lambda p: one_far_cell(p, "A1:B1"),
            "far_lying.xlsx: the sheet reaches row 1,048,576 (at most 150,000 rows are read); "
            "not read. Is it the right file?",
        ),
        (
            "tiny.ods",
            lambda p: tiny_ods(p, 1_048_575, 1_024),
            "tiny.ods: row 2 has something in column 1,024 (at most 1,000 columns are read); "
            "delete what lies right of your list; not read. Is it the right file?",
        ),
        (
            "tall.ods",
            lambda p: tiny_ods(p, 1_048_575, 100),
            "tall.ods: the sheet reaches row 1,048,576 (at most 150,000 rows are read); not "
            "read. Is it the right file?",
        ),
        (
            "bomb.xlsx",
            zip_bomb,
            # "... expands 685 times (288,633 bytes to 189 MB), as no spreadsheet does; ..."
            "times (",
        ),
        (
            "empty_rows.xlsx",
            empty_rows_xlsx,
            "empty_rows.xlsx: the sheet has more than 150,000 rows; not read. Is it the right "
            "file?",
        ),
        (
            "empty_rows.csv",
            lambda p: p.write_bytes(b"Company,Contact,Email\r\n" + b"\r\n" * 2_600_000) and p,
            "empty_rows.csv: the sheet reaches row 150,001 (at most 150,000 rows are read); "
            "not read. Is it the right file?",
        ),
    ],
)
def test_a_hostile_sheet_is_refused_at_once_with_one_line(workspace, tmp_path, name, make, said):
    path = tmp_path / name
    make(path)
    size = path.stat().st_size
    # The quicker of two runs each: other work on the machine only ever adds time.
    start = min(measured_import(workspace, tmp_path / "missing.csv")["seconds"] for _ in range(2))
    runs = [measured_import(workspace, path) for _ in range(2)]
    got = {**runs[0], "seconds": min(r["seconds"] for r in runs)}
    assert all(r["mib"] < MIB for r in runs)
    print(
        f"{name}: {size:,} bytes, {got['seconds']:.2f} s ({got['seconds'] - start:+.2f} s "
        f"over refusing a missing file), {got['mib']:.0f} MiB peak"
    )
    assert got["code"] == 2
    lines = got["stderr"].strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("campaign: error: ")
    assert said in lines[0]
    if name == "bomb.xlsx":
        assert "bomb.xlsx: xl/worksheets/sheet1.xml expands " in lines[0]
        assert "MB), as no spreadsheet does; not read. Is it the right file?" in lines[0]
    assert got["seconds"] - start < SECONDS
    assert got["mib"] < MIB


def test_the_bombs_are_what_they_claim(tmp_path):
    """The files above are small on disk and would be huge expanded (so the test is honest)."""
    ods = tiny_ods(tmp_path / "tiny.ods", 1_048_575, 1_024)
    assert ods.stat().st_size < 1_000
    bomb = zip_bomb(tmp_path / "bomb.xlsx")
    info = zipfile.ZipFile(bomb).getinfo("xl/worksheets/sheet1.xml")
    assert bomb.stat().st_size < 300_000
    assert info.file_size > 190_000_000
    # The data really inflates: the first megabyte decompresses to empty rows.
    with zipfile.ZipFile(bomb) as archive, archive.open(info) as part:
        part.read(len(f"{_SHEET_HEAD}<sheetData>{_HEADER_ROW}".encode()))
        assert part.read(60) == b"<row/>" * 10


def test_a_sheet_in_bounds_still_reads_through_the_same_path(workspace, tmp_path):
    sheet = (
        f'{_SHEET_HEAD}<dimension ref="A1:B3"/><sheetData>{_HEADER_ROW}'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>Acme</t></is></c>'
        '<c r="B3" t="inlineStr"><is><t>ann@acme.example</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    path = xlsx(tmp_path / "ok.xlsx", sheet.encode())
    got = measured_import(workspace, path)
    # The sheet has no name column: refused for that, not for its size.
    assert got["code"] == 2
    assert "no column for the hiring authority's name" in got["stderr"]
