"""The typst compiler's own process: compiles what the parent sends, one document at a time.

Started by `app/export/pdf.py` through the runner (a session of its own, an address-space
limit) as `python -I typst_child.py ROOT`; it ends after the export, or is kept warm for the
next one while it holds less than PLUME_TYPST_KEEP_MB (pdf.WarmCompiler; default 0). It
imports nothing of Plume. It ends when its stdin closes, which is also what happens when the
parent dies.

Protocol, on stdin/stdout: a request is a line `<timestamp> <size>\\n` then `size` bytes of
typst source; an answer is a line `ok <size>\\n` then the PDF, `error <size>\\n` then the
message in UTF-8, or `memory 0\\n` when the memory limit stopped it. A request line
`<timestamp> <size> end` (a chunk of a large export: pdf_chunks.py) compiles an untagged PDF
and also answers the value of the document's `<plume-end>` metadata: after `ok <size>\\n` come
`<pdf size> `, the PDF, then that value as JSON.
"""

import sys


def main(root: str) -> None:
    import typst

    compiler = typst.Compiler(root=root, ignore_system_fonts=True)
    read, write = sys.stdin.buffer, sys.stdout.buffer
    while True:
        line = read.readline()
        if not line:
            return
        timestamp, size, *mode = line.split()
        source = read.read(int(size))
        try:
            if mode:
                answer, body = b"ok", chunk(root, source, int(timestamp))
            else:
                pdf, _ = compiler.compile_with_warnings(input=source, timestamp=int(timestamp))
                if not isinstance(pdf, bytes):
                    raise ValueError("typst returned no PDF")
                answer, body = b"ok", pdf
        except MemoryError:
            answer, body = b"memory", b""
        except typst.TypstError as error:
            answer, body = b"error", f"typst could not compile the export: {error.message}"
            body = body.encode("utf-8")
        except Exception as error:
            answer, body = b"error", f"typst failed: {error}".encode()
        write.write(answer + b" %d\n" % len(body) + body)
        write.flush()


def chunk(root: str, source: bytes, timestamp: int) -> bytes:
    """`<pdf size> `, a chunk's PDF (untagged: chunks are merged), its `<plume-end>` as JSON."""
    import os

    import typst

    # typst's query reads the document from a file: the chunk's source, alone in the root.
    path = os.path.join(root, "chunk.typ")
    with open(path, "wb") as out:
        out.write(source)
    try:
        compiler = typst.Compiler(input=path, root=root, ignore_system_fonts=True)
        pdf, _ = compiler.compile_with_warnings(timestamp=timestamp, pdf_tags=False)
        if not isinstance(pdf, bytes):
            raise ValueError("typst returned no PDF")
        end = compiler.query("<plume-end>", field="value", one=True, format="json")
    finally:
        os.unlink(path)
    return b"%d " % len(pdf) + pdf + end.encode("utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
