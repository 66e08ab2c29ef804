#include "nas/constraints.h"

#include <gtest/gtest.h>

#include <string>

namespace tinynas::nas {
namespace {

// 320K SRAM with 16K reserved, 1M Flash with 64K reserved: budgets 304K and 960K.
Constraints stm32f746() {
  return Constraints{320 * 1024, 1024 * 1024, 16 * 1024, 64 * 1024};
}
constexpr int64_t kSramBudget = 304 * 1024;
constexpr int64_t kFlashBudget = 960 * 1024;

ArchCost cost(int64_t sram, int64_t flash) {
  ArchCost c;
  c.macs = 50'000'000;
  c.params = 700'000;
  c.sram_bytes = sram;
  c.flash_bytes = flash;
  return c;
}

bool mentions(const std::string& text, const std::string& word) {
  return text.find(word) != std::string::npos;
}

TEST(ConstraintsTest, BudgetsAreTheTotalsLessTheReservedShares) {
  const Constraints c = stm32f746();
  EXPECT_EQ(c.sram_budget(), kSramBudget);
  EXPECT_EQ(c.flash_budget(), kFlashBudget);
}

TEST(ConstraintsTest, SramAtTheBudgetFitsAndOneByteOverDoesNot) {
  const Constraints c = stm32f746();
  EXPECT_TRUE(c.fits(cost(kSramBudget, 1000)));
  EXPECT_EQ(c.violation(cost(kSramBudget, 1000)), "");
  EXPECT_FALSE(c.fits(cost(kSramBudget + 1, 1000)));
  const std::string why = c.violation(cost(kSramBudget + 1, 1000));
  EXPECT_TRUE(mentions(why, "SRAM")) << why;
  EXPECT_FALSE(mentions(why, "Flash")) << why;
}

TEST(ConstraintsTest, FlashAtTheBudgetFitsAndOneByteOverDoesNot) {
  const Constraints c = stm32f746();
  EXPECT_TRUE(c.fits(cost(1000, kFlashBudget)));
  EXPECT_EQ(c.violation(cost(1000, kFlashBudget)), "");
  EXPECT_FALSE(c.fits(cost(1000, kFlashBudget + 1)));
  const std::string why = c.violation(cost(1000, kFlashBudget + 1));
  EXPECT_TRUE(mentions(why, "Flash")) << why;
  EXPECT_FALSE(mentions(why, "SRAM")) << why;
}

TEST(ConstraintsTest, BothLimitsAtOnceAreBothReported) {
  const Constraints c = stm32f746();
  EXPECT_TRUE(c.fits(cost(kSramBudget, kFlashBudget)));
  EXPECT_FALSE(c.fits(cost(kSramBudget + 1, kFlashBudget + 1)));
  const std::string why = c.violation(cost(kSramBudget + 1, kFlashBudget + 1));
  EXPECT_TRUE(mentions(why, "SRAM") && mentions(why, "Flash")) << why;
}

TEST(ConstraintsTest, TheReservedSharesAreNotAvailableToTheModel) {
  // A model as large as the whole memory fits only when the firmware reserves nothing.
  EXPECT_FALSE(stm32f746().fits(cost(320 * 1024, 1000)));
  EXPECT_FALSE(stm32f746().fits(cost(1000, 1024 * 1024)));
  const Constraints nothing_reserved{320 * 1024, 1024 * 1024, 0, 0};
  EXPECT_TRUE(nothing_reserved.fits(cost(320 * 1024, 1024 * 1024)));
  EXPECT_FALSE(nothing_reserved.fits(cost(320 * 1024 + 1, 1024 * 1024)));
  EXPECT_FALSE(nothing_reserved.fits(cost(320 * 1024, 1024 * 1024 + 1)));
}

TEST(ConstraintsTest, MacsAndParametersAreNotLimits) {
  ArchCost huge = cost(1000, 1000);
  huge.macs = int64_t{1} << 50;
  huge.params = int64_t{1} << 40;
  EXPECT_TRUE(stm32f746().fits(huge));
}

TEST(ConstraintsTest, ForBoardTakesEachLimitFromItsField) {
  memory::Board board;
  board.sram_bytes = 256 * 1024;
  board.flash_bytes = 2048 * 1024;
  board.reserved_sram_bytes = 20 * 1024;
  board.reserved_flash_bytes = 100 * 1024;
  const Constraints c = Constraints::for_board(board);
  EXPECT_EQ(c.sram_budget(), board.model_sram_budget());
  EXPECT_EQ(c.flash_budget(), board.model_flash_budget());
  EXPECT_TRUE(c.fits(cost(board.model_sram_budget(), board.model_flash_budget())));
  EXPECT_FALSE(c.fits(cost(board.model_sram_budget() + 1, 1000)));
  EXPECT_FALSE(c.fits(cost(1000, board.model_flash_budget() + 1)));
}

}  // namespace
}  // namespace tinynas::nas
