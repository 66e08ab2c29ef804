// pyOCD: the real no-probe path (Debian's pyocd 0.13 tools, when installed: nothing is attached on
// a CI machine), and fake pyocd scripts for the listing, flash, reset and memory-read paths.
#include "firmware/pyocd_probe.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "firmware/firmware_error.h"
#include "tests/firmware/test_support.h"
#include "util/process.h"

namespace tinynas::firmware {
namespace {

using testing::TempDir;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A shell script standing in for a pyOCD executable: logs its arguments to calls.log, prints
// `listing` for the probe listing, and for savemem writes LEN bytes of 0x41 to the file.
std::string fake_tool(const TempDir& dir, const std::string& name, const std::string& listing) {
  const std::filesystem::path path = dir.path() / name;
  testing::write_file(dir.path() / (name + ".json"), listing);
  std::string script =
      "#!/bin/sh\n"
      "echo \"$(basename \"$0\") $*\" >> \"" +
      (dir.path() / "calls.log").string() +
      "\"\n"
      "case \"$*\" in\n"
      "  *--json*|*--probes*) cat \"" +
      (dir.path() / (name + ".json")).string() +
      "\" ;;\n"
      "  *savemem*) set -- $(echo \"$*\" | sed 's/.*savemem //'); \\\n"
      "    head -c \"$2\" /dev/zero | tr '\\0' 'A' > \"$3\" ;;\n"
      "esac\n"
      "exit 0\n";
  testing::write_file(path, script);
  ::chmod(path.c_str(), 0755);
  return path.string();
}

const char* kOneBoard =
    R"({"pyocd_version": "0.13.1", "version": {"major": 1, "minor": 0}, "status": 0, "boards": [
        {"unique_id": "066DFF555052836687031543", "info": "NUCLEO-F412ZG [stm32f412xg]",
         "board_name": "NUCLEO-F412ZG", "target": "stm32f412xg", "vendor_name": "STMicroelectronics",
         "product_name": "STM32 STLink"}]})";
const char* kNoBoards =
    R"({"pyocd_version": "0.13.1", "version": {"major": 1, "minor": 0}, "status": 0, "boards": []})";

PyocdTools missing_tools() {
  PyocdTools tools;
  tools.pyocd = "pyocd-absent-modern";
  tools.gdbserver = "pyocd-absent-gdbserver";
  tools.flashtool = "pyocd-absent-flashtool";
  tools.tool = "pyocd-absent-tool";
  return tools;
}

TEST(PyocdProbe, RealToolsWithNothingAttachedSayNoBoardAttached) {
  PyocdTools tools;
  if (!util::program_available(tools.pyocd) && !util::program_available(tools.gdbserver))
    GTEST_SKIP() << "pyOCD is not installed (apt-get install python3-pyocd)";
  tools.timeout_s = 60;
  const std::vector<DebugProbe> probes = list_probes(tools);
  if (!probes.empty()) GTEST_SKIP() << "a debug probe is attached to this machine";
  try {
    require_probe(tools);
    FAIL() << "expected NoProbeAttached";
  } catch (const NoProbeAttached& e) {
    EXPECT_TRUE(contains(e.what(), "no board attached")) << e.what();
  }
}

TEST(PyocdProbe, NoPyocdAtAllNamesThePackage) {
  try {
    detect_pyocd(missing_tools());
    FAIL() << "expected FirmwareError";
  } catch (const FirmwareError& e) {
    EXPECT_EQ(e.kind(), FirmwareFailure::kToolMissing);
    EXPECT_TRUE(contains(e.what(), "python3-pyocd")) << e.what();
  }
}

TEST(PyocdProbe, ParsesTheListing) {
  const std::vector<DebugProbe> probes = parse_probe_list(kOneBoard);
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_EQ(probes[0].unique_id, "066DFF555052836687031543");
  EXPECT_EQ(probes[0].board_name, "NUCLEO-F412ZG");
  EXPECT_EQ(probes[0].target, "stm32f412xg");
  EXPECT_TRUE(parse_probe_list(kNoBoards).empty());
  EXPECT_THROW(parse_probe_list("No available debug probes are connected"), std::runtime_error);
  EXPECT_THROW(parse_probe_list(R"({"status": 1, "boards": [], "error": "usb"})"),
               std::runtime_error);
}

TEST(PyocdProbe, LegacyToolsFlashResetAndReadMemory) {
  TempDir dir;
  PyocdTools tools = missing_tools();
  tools.gdbserver = fake_tool(dir, "pyocd-gdbserver", kOneBoard);
  tools.flashtool = fake_tool(dir, "pyocd-flashtool", "");
  tools.tool = fake_tool(dir, "pyocd-tool", "");
  EXPECT_EQ(detect_pyocd(tools), PyocdFlavor::kLegacy);
  const DebugProbe probe = require_probe(tools, "066DFF");
  testing::write_file(dir.path() / "fw.elf", "elf");
  flash_elf(tools, probe, "stm32f412xg", (dir.path() / "fw.elf").string());
  reset_target(tools, probe, "stm32f412xg");
  const std::vector<uint8_t> bytes =
      read_target_memory(tools, probe, "stm32f412xg", 0x20000000u, 24, dir.str());
  EXPECT_EQ(bytes, std::vector<uint8_t>(24, 'A'));
  const std::string calls = read_text(dir.path() / "calls.log");
  EXPECT_TRUE(contains(calls, "pyocd-gdbserver -l --json")) << calls;
  EXPECT_TRUE(contains(calls, "pyocd-flashtool -t stm32f412xg -b 066DFF555052836687031543 "))
      << calls;
  EXPECT_TRUE(contains(calls, "pyocd-tool -t stm32f412xg -b 066DFF555052836687031543 reset"))
      << calls;
  EXPECT_TRUE(contains(calls, "savemem 0x20000000 24 ")) << calls;
}

TEST(PyocdProbe, ModernPyocdIsPreferred) {
  TempDir dir;
  PyocdTools tools = missing_tools();
  tools.pyocd = fake_tool(dir, "pyocd", kOneBoard);
  EXPECT_EQ(detect_pyocd(tools), PyocdFlavor::kModern);
  const DebugProbe probe = require_probe(tools);
  reset_target(tools, probe, "stm32f746zgtx");
  const std::string calls = read_text(dir.path() / "calls.log");
  EXPECT_TRUE(contains(calls, "pyocd json --probes")) << calls;
  EXPECT_TRUE(contains(calls, "pyocd reset -t stm32f746zgtx -u 066DFF555052836687031543")) << calls;
}

TEST(PyocdProbe, FakeEmptyListingAndWrongIdSayNoBoardAttached) {
  TempDir dir;
  PyocdTools tools = missing_tools();
  tools.pyocd = fake_tool(dir, "pyocd", kNoBoards);
  EXPECT_THROW(require_probe(tools), NoProbeAttached);
  TempDir other;
  tools.pyocd = fake_tool(other, "pyocd", kOneBoard);
  try {
    require_probe(tools, "nosuchid");
    FAIL() << "expected NoProbeAttached";
  } catch (const NoProbeAttached& e) {
    EXPECT_TRUE(contains(e.what(), "066DFF555052836687031543")) << e.what();
  }
}

TEST(PyocdProbe, AFailingFlashQuotesPyocd) {
  TempDir dir;
  PyocdTools tools = missing_tools();
  tools.pyocd = fake_tool(dir, "pyocd", kOneBoard);
  const DebugProbe probe = require_probe(tools);
  // A flashtool that fails the way 0.13 does without a probe.
  tools.pyocd = (dir.path() / "failing").string();
  testing::write_file(tools.pyocd,
                      "#!/bin/sh\necho 'Error: There is no debug probe connected.'\nexit 1\n");
  ::chmod(tools.pyocd.c_str(), 0755);
  testing::write_file(dir.path() / "fw.elf", "elf");
  try {
    flash_elf(tools, probe, "stm32f412xg", (dir.path() / "fw.elf").string());
    FAIL() << "expected FirmwareError";
  } catch (const FirmwareError& e) {
    EXPECT_EQ(e.kind(), FirmwareFailure::kProbeFailed);
    EXPECT_TRUE(contains(e.what(), "no debug probe connected")) << e.what();
  }
}

}  // namespace
}  // namespace tinynas::firmware
