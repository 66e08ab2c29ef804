// A schema written once: a table of fields, each with its JSON key, type, help text, rule and
// how to get at its value in a struct, from which reading (strict), writing, validation and the
// reference text are all derived. The defaults are not in the table: they are whatever a
// default-constructed struct holds, written out by the same table.
//
//   FieldTable<Settings> table = {
//       field<Settings>("evolution.population", [](auto& s) -> auto& { return
//       s.evolution.population; },
//                       "candidates per generation", at_least(2)),
//   };
//   read_fields(table, json, "config x.json", settings);   // std::invalid_argument naming the key
//   nlohmann::json j = write_fields(table, settings);
#pragma once

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "util/json_reader.h"

namespace tinynas::cli {

template <typename Owner>
struct Field {
  std::string key;   // path in the JSON object, dots between nested objects: "evolution.population"
  std::string type;  // for the reference: "integer", "number", "string", ...
  std::string help;
  bool required = false;     // must be present (otherwise absent keys keep the struct's value)
  std::string default_note;  // printed instead of the written default when not empty
  // Reads the value of `name` (the last part of key) from r into the owner; type errors name it.
  std::function<void(util::ObjectReader& r, const std::string& name, Owner&)> read;
  // The value as written; nothing for fields without a value (an unset override).
  std::function<std::optional<nlohmann::json>(const Owner&)> write;
  // What is wrong with the owner's value ("must be at least 2"), empty when it is fine.
  std::function<std::string(const Owner&)> check;
};

template <typename Owner>
using FieldTable = std::vector<Field<Owner>>;

// A rule on one value: empty when fine, otherwise what is expected ("must be at least 1").
template <typename T>
using Rule = std::function<std::string(const T&)>;

template <typename T>
const char* json_type_of() {
  if constexpr (std::is_same_v<T, bool>) return "boolean";
  if constexpr (std::is_integral_v<T>) return "integer";
  if constexpr (std::is_floating_point_v<T>) return "number";
  if constexpr (std::is_same_v<T, std::string>) return "string";
  if constexpr (std::is_same_v<T, std::vector<int>>) return "array of integers";
  if constexpr (std::is_same_v<T, std::vector<std::string>>) return "array of strings";
  return "value";
}

template <typename T>
struct NotDeduced {
  using type = T;
};

// A plain field: access(owner) is a reference to the struct member, whose type T is the JSON
// value's (the rule does not take part in deducing it).
template <typename Owner, typename Access,
          typename T = std::decay_t<decltype(std::declval<Access>()(std::declval<Owner&>()))>>
Field<Owner> field(std::string key, Access access, std::string help,
                   Rule<typename NotDeduced<T>::type> rule = {}) {
  Field<Owner> f;
  f.key = std::move(key);
  f.type = json_type_of<T>();
  f.help = std::move(help);
  f.read = [access](util::ObjectReader& r, const std::string& name, Owner& o) {
    access(o) = r.get<T>(name);
  };
  f.write = [access](const Owner& o) -> std::optional<nlohmann::json> {
    return nlohmann::json(access(o));
  };
  if (rule) f.check = [access, rule](const Owner& o) { return rule(access(o)); };
  return f;
}

namespace table_detail {

inline std::string last_part(const std::string& key) {
  const size_t dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

inline nlohmann::json::json_pointer pointer(const std::string& key) {
  std::string p = "/" + key;
  for (char& c : p)
    if (c == '.') c = '/';
  return nlohmann::json::json_pointer(p);
}

}  // namespace table_detail

// Reads the object at `prefix` ("" for the top, "evolution." for a section) and its sections,
// strictly: unknown keys and wrong types throw std::invalid_argument naming the key; then the
// rules of the fields at that level are checked, again naming the key.
template <typename Owner>
void read_fields(const FieldTable<Owner>& table, const nlohmann::json& object,
                 const std::string& context, Owner& owner, const std::string& prefix = "") {
  util::ObjectReader r(object, context);
  std::vector<std::string> sections;
  std::vector<const Field<Owner>*> here;
  for (const Field<Owner>& f : table) {
    if (f.key.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = f.key.substr(prefix.size());
    const size_t dot = rest.find('.');
    if (dot != std::string::npos) {
      const std::string section = rest.substr(0, dot);
      if (std::find(sections.begin(), sections.end(), section) == sections.end())
        sections.push_back(section);
      r.allow(section);
      continue;
    }
    here.push_back(&f);
    r.allow(rest);  // an unknown key's message lists every valid one, not only those given
    if (f.required) r.at(rest);  // "is missing"
    if (r.has(rest)) f.read(r, rest, owner);
  }
  for (const std::string& section : sections)
    if (r.has(section))
      read_fields(table, r.at(section), context + " " + section, owner, prefix + section + ".");
  r.finish();
  for (const Field<Owner>* f : here)
    if (f->check)
      if (const std::string problem = f->check(owner); !problem.empty())
        r.fail(f->key.substr(prefix.size()), problem);
}

template <typename Owner>
nlohmann::json write_fields(const FieldTable<Owner>& table, const Owner& owner) {
  nlohmann::json j = nlohmann::json::object();
  for (const Field<Owner>& f : table)
    if (std::optional<nlohmann::json> value = f.write(owner))
      j[table_detail::pointer(f.key)] = std::move(*value);
  return j;
}

// The first broken rule as "'evolution.population' must be at least 2", or empty.
template <typename Owner>
std::string first_problem(const FieldTable<Owner>& table, const Owner& owner) {
  for (const Field<Owner>& f : table)
    if (f.check)
      if (const std::string problem = f.check(owner); !problem.empty())
        return "'" + f.key + "' " + problem;
  return "";
}

// The reference: one entry per key with its type, default and help, keys prefixed by `prefix`.
template <typename Owner>
std::string describe_fields(const FieldTable<Owner>& table, const Owner& defaults,
                            const std::string& prefix = "") {
  std::string out;
  for (const Field<Owner>& f : table) {
    std::string default_text = f.default_note;
    if (default_text.empty()) {
      const std::optional<nlohmann::json> value = f.write(defaults);
      default_text = f.required ? "required" : value ? "default " + value->dump() : "no default";
    }
    out +=
        "  " + prefix + f.key + " (" + f.type + ", " + default_text + ")\n      " + f.help + "\n";
  }
  return out;
}

}  // namespace tinynas::cli
