// Command-line options shared by the search-type commands (search, space, evolve) and their
// translation into Settings: flags override the --config file, which overrides the defaults.
#pragma once

#include <cxxopts.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/settings.h"

namespace tinynas::cli {

struct CommonFlags {
  std::string config_dir;
  bool verbose = false;
  bool quiet = false;
};

void add_search_options(cxxopts::Options& options);
// Throws std::invalid_argument naming the option on bad values.
Settings settings_from_options(const cxxopts::ParseResult& parsed);
CommonFlags common_flags(const cxxopts::ParseResult& parsed);

// A size flag ("--sram 64K") in bytes; throws std::invalid_argument naming the flag.
int64_t size_option(const cxxopts::ParseResult& parsed, const std::string& name);

// Parses argv with cxxopts, turning its exceptions into std::invalid_argument.
cxxopts::ParseResult parse_or_throw(cxxopts::Options& options, int argc, char** argv);

// "resnet8,mbv2" -> {"resnet8", "mbv2"}: names or files a flag lists; an empty name throws
// std::invalid_argument naming the flag.
std::vector<std::string> comma_list(const std::string& flag, const std::string& text);

// The configs folder for a command with a --config-dir option (see config_dir.h for the search).
std::string config_dir_option(const cxxopts::ParseResult& parsed);

// What every subcommand does first: parse (errors as std::invalid_argument), print the help and
// return nothing when --help was given, reject stray positional arguments.
std::optional<cxxopts::ParseResult> parse_command(cxxopts::Options& options, int argc, char** argv);

}  // namespace tinynas::cli
