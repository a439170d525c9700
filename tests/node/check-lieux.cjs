// Reads the JSON export of venues (`export lieux --format json`) and passes every record
// through the national cartography's own library (@gouvfr-anct/lieux-de-mediation-numerique),
// as the cartography does when it imports a producer's file. Prints one JSON line per record:
// {"id", "ok": true, "lieu": <the library's model>} or {"id", "ok": false, "error": <message>}.
"use strict";
const fs = require("fs");
const { fromSchemaLieuDeMediationNumerique } = require("@gouvfr-anct/lieux-de-mediation-numerique");

const records = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
for (const record of records) {
  // The cartography reads a CSV, where an empty cell is absent: null and "" are dropped, and
  // every other value is given as the text of its cell.
  const row = {};
  for (const [key, value] of Object.entries(record)) {
    if (value !== null && value !== "") row[key] = String(value);
  }
  try {
    const lieu = fromSchemaLieuDeMediationNumerique(row);
    console.log(JSON.stringify({ id: record.id, ok: true, lieu }));
  } catch (error) {
    console.log(JSON.stringify({ id: record.id, ok: false, error: `${error.constructor.name}: ${error.message}` }));
  }
}
