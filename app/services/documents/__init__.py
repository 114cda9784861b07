"""Certificate documents: reading a PDF, PNG or JPEG into text and QR codes within time and memory
bounds (`reader.read_document`), the certverify deep links its QR codes carry (`links`), and
keeping a document with its stored verification when a keyed caller asks (`storage`)."""
