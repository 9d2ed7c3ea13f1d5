"""The media panel of the curators' object page: upload, order, describe and remove files."""

from __future__ import annotations

import io
import re

from PIL import Image

from tests.web.conftest import csrf_token, make_object

ITEM = re.compile(
    r'action="/curate/media/([0-9a-f-]{36})">\s*<input type="hidden" name="csrf_token"[^>]*>'
    r'<input type="hidden" name="etag" value="([^"]+)"'
)


def image(kind: str = "PNG", colour: str = "red") -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (300, 200), colour).save(data, kind)
    data.seek(0)
    return data


def upload(browser, record, *files):
    path = f"/curate/objects/{record['id']}"
    data = {"file": list(files), "csrf_token": csrf_token(browser, path)}
    return browser.post(f"{path}/media", data=data, content_type="multipart/form-data")


def panel(browser, record) -> tuple[str, list[tuple[str, str]]]:
    """The object page and its files as (id, etag), in display order."""
    page = browser.get(f"/curate/objects/{record['id']}").get_data(as_text=True)
    return page, [(i, e.replace("&#34;", '"')) for i, e in ITEM.findall(page)]


def change(browser, record, media_id, etag, **fields):
    token = csrf_token(browser, f"/curate/objects/{record['id']}")
    return browser.post(
        f"/curate/media/{media_id}",
        data={"csrf_token": token, "etag": etag, **fields},
        follow_redirects=True,
    )


def test_curators_upload_several_files_and_see_their_thumbnails(app, browser_for):
    record = make_object(app, status="public")
    curator = browser_for("curator")
    response = upload(curator, record, (image(), "front.png"), (image("JPEG"), "back.jpg"))
    assert response.status_code == 302
    page, files = panel(curator, record)
    assert len(files) == 2 and "front.png was added" in page and "back.jpg was added" in page
    assert page.index("Primary image") < page.index(f"/curate/media/{files[1][0]}")
    thumbnail = curator.get(f"/curate/media/{files[0][0]}/thumbnail")
    assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/jpeg"


def test_a_file_that_is_not_an_image_or_no_file_gets_a_message(app, browser_for):
    record = make_object(app)
    curator = browser_for("curator")
    upload(curator, record, (io.BytesIO(b"\x00\x01 not a known file"), "x.bin"))
    page, files = panel(curator, record)
    assert files == [] and "x.bin was not added" in page
    upload(curator, record)
    assert "Choose one or more files" in panel(curator, record)[0]


def test_primary_order_captions_rights_and_privacy(app, client, browser_for):
    record = make_object(app, status="public")
    curator = browser_for("curator")
    upload(curator, record, (image(), "one.png"), (image(colour="blue"), "two.png"))
    _, [(one, one_tag), (two, two_tag)] = panel(curator, record)
    change(curator, record, two, two_tag, action="primary")
    _, files = panel(curator, record)
    page = change(curator, record, files[0][0], files[0][1], action="down").get_data(as_text=True)
    _, files = panel(curator, record)
    assert [f[0] for f in files] == [two, one]
    assert page.index("Primary image") < page.index(f'/curate/media/{one}"')
    fields = {
        "caption_fr": "Vue de dos",
        "caption_en": "Back view",
        "rights": "CC BY 4.0",
        "public": "on",
    }
    change(curator, record, one, files[1][1], action="save", **fields)
    change(curator, record, two, files[0][1], action="save", caption_fr="Réserve")
    public = client.get(f"/objects/{record['id']}", headers={"Accept-Language": "en"})
    text = public.get_data(as_text=True)
    # The page shows the public image in the viewer (its IIIF rendering), never the other.
    assert "Back view" in text and f"/iiif/3/{one}/info.json" in text
    assert two not in text and "Réserve" not in text
    assert client.get(f"/api/v1/media/{one}/thumbnail").status_code == 200


def test_a_stale_change_is_refused_and_changes_nothing(app, browser_for):
    record = make_object(app)
    curator, other = browser_for("curator"), browser_for("curator2")
    upload(curator, record, (image(), "one.png"))
    _, [(media_id, etag)] = panel(curator, record)
    change(other, record, media_id, etag, action="save", caption_fr="Première", public="on")
    page = change(curator, record, media_id, etag, action="save", caption_fr="Seconde")
    text = page.get_data(as_text=True)
    assert "Someone changed this file" in text
    assert 'value="Première"' in text and "Seconde" not in text


def test_deleting_asks_for_confirmation_first(app, browser_for):
    record = make_object(app)
    curator = browser_for("curator")
    upload(curator, record, (image(), "one.png"))
    _, [(media_id, etag)] = panel(curator, record)
    asked = change(curator, record, media_id, etag, action="delete").get_data(as_text=True)
    assert "cannot be undone" in asked and len(panel(curator, record)[1]) == 1
    page = change(curator, record, media_id, etag, action="delete", confirm="yes")
    assert "The file was deleted" in page.get_data(as_text=True)
    assert panel(curator, record)[1] == []
    assert curator.get(f"/curate/media/{media_id}/thumbnail").status_code == 404


def test_uploads_need_the_form_token_and_a_curator(app, browser_for):
    record = make_object(app)
    curator = browser_for("curator")
    path = f"/curate/objects/{record['id']}/media"
    forged = curator.post(path, data={"file": (image(), "x.png")})
    assert forged.status_code == 400 and panel(curator, record)[1] == []
    researcher = browser_for("researcher")
    token = csrf_token(researcher, "/curate/")
    refused = researcher.post(path, data={"file": (image(), "x.png"), "csrf_token": token})
    assert refused.status_code == 403 and panel(curator, record)[1] == []
