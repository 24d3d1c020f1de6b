import { describe, expect, it } from "vitest";

import { toCsv } from "./csv.ts";

describe("toCsv", () => {
  it("writes RFC 4180: CRLF rows, quoted fields where needed, empty cells for null", () => {
    expect(
      toCsv({
        header: ["id", "note", "price"],
        rows: [
          [7n, 'said "hi", then left', 2.1],
          [8n, null, "line\nbreak"],
        ],
      }),
    ).toBe('id,note,price\r\n7,"said ""hi"", then left",2.1\r\n8,,"line\nbreak"\r\n');
  });
});
