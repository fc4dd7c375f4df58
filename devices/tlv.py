"""BER-TLV as the マイナンバーカード stores it: one- or two-byte tags (``DF22``, ``FF20``) and
lengths in short form or ``81 xx`` / ``82 xx xx``."""


class TlvError(ValueError):
    pass


def read_header(data, offset=0):
    """(tag, length, header size) of the element starting at ``offset``."""
    position = offset
    tag = _byte(data, position)
    position += 1
    if tag & 0x1F == 0x1F:
        while True:
            next_byte = _byte(data, position)
            tag = tag << 8 | next_byte
            position += 1
            if not next_byte & 0x80:
                break
    length = _byte(data, position)
    position += 1
    if length & 0x80:
        size = length & 0x7F
        if not 1 <= size <= 3:
            raise TlvError(f"長さの形式が不正です({length:02X})")
        length = int.from_bytes(_bytes(data, position, size), "big")
        position += size
    return tag, length, position - offset


def elements(data):
    """Every top-level element of ``data`` as {tag: value}; a value must fit in ``data``."""
    found, offset = {}, 0
    while offset < len(data):
        tag, length, header_size = read_header(data, offset)
        start = offset + header_size
        found[tag] = _bytes(data, start, length)
        offset = start + length
    return found


def _byte(data, position):
    if position >= len(data):
        raise TlvError("データが途中で終わっています")
    return data[position]


def _bytes(data, start, size):
    if start + size > len(data):
        raise TlvError("データが途中で終わっています")
    return bytes(data[start : start + size])
