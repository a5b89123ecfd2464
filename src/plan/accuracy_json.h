#pragma once
// The accuracy JSON (schema "splitpoint-accuracy", version 1; docs/accuracy.md): what `splitpoint accuracy`
// measured, written from an AccuracyReport and read back (by `plan --accuracy` and `report`). The reader
// checks every field and names the file and field of anything wrong.
#include <filesystem>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "plan/accuracy_table.h"

namespace splitpoint {

inline constexpr const char* kAccuracySchema = "splitpoint-accuracy";
inline constexpr int kAccuracySchemaVersion = 1;

std::string accuracy_to_json(const AccuracyReport& report);

// `document` already parsed (core/json_document.h), as the report reads its inputs.
AccuracyReport accuracy_from_document(const nlohmann::json& document, const std::string& source);
AccuracyReport accuracy_from_json(const std::string& text, const std::string& source);
AccuracyReport read_accuracy_json(const std::filesystem::path& path);

}  // namespace splitpoint
