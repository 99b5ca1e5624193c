"""Product images: only real JPEG, PNG or WebP pictures within the limits are accepted, and what is
stored is never the uploaded file but a re-encoded JPEG (and a thumbnail): metadata, hidden payloads
and anything a browser might run are gone. Every refusal has its message."""

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.api import ApplicationError

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # e.g. 8000 x 5000
MAX_SIDE = 12_000
FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}  # MPO: a phone's multi-picture JPEG (its first picture is used)
DISPLAY_SIDE = 1600
THUMBNAIL_SIDE = 400


@dataclass
class Processed:
    image: ContentFile
    thumbnail: ContentFile


def _jpeg(picture: Image.Image, side: int, name: str) -> ContentFile:
    copy = picture.copy()
    copy.thumbnail((side, side))
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=name)


def process(upload) -> Processed:
    """Checks an uploaded file and returns the re-encoded picture and thumbnail, or raises."""
    if upload is None:
        raise ApplicationError(_("Choose an image file."), extra={"field": "image"})
    if upload.size > MAX_BYTES:
        raise ApplicationError(
            _("The image is %(size)s MB; the limit is %(limit)s MB."),
            params={"size": round(upload.size / 1024 / 1024, 1), "limit": MAX_BYTES // 1024 // 1024},
            extra={"field": "image"},
        )
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind, (width, height) = probe.format, probe.size
            if kind not in FORMATS:
                raise ApplicationError(
                    _("Only JPEG, PNG or WebP pictures are accepted (this file is %(kind)s)."),
                    params={"kind": kind or "?"},
                    extra={"field": "image"},
                )
            # Before decoding anything: a tiny file can claim a gigantic picture (a "bomb").
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise ApplicationError(
                    _("The picture is %(width)s × %(height)s pixels; at most 40 megapixels are accepted."),
                    params={"width": width, "height": height},
                    extra={"field": "image"},
                )
            probe.verify()  # a truncated or corrupt file fails here
        with Image.open(io.BytesIO(data)) as picture:
            picture.load()
            picture = ImageOps.exif_transpose(picture).convert("RGB")
    except ApplicationError:
        raise
    except Image.DecompressionBombError as exc:  # Pillow's own guard, for claims far beyond ours
        raise ApplicationError(
            _("The picture is far larger than the 40-megapixel limit."), extra={"field": "image"}
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ApplicationError(
            _("This file is not a picture that can be read (or it is damaged)."), extra={"field": "image"}
        ) from exc
    return Processed(
        image=_jpeg(picture, DISPLAY_SIDE, "image.jpg"),
        thumbnail=_jpeg(picture, THUMBNAIL_SIDE, "thumb.jpg"),
    )
