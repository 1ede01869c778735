/* test_core_region.c - unit tests of core/region: division codes, levels, moves, scope. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/region.h"

/* Real Huaibei codes (../shared/data) and their paths. */
#define CITY "340600000000"        /* 淮北市 */
#define DUJI "340602000000"        /* 杜集区 */
#define XIANGSHAN "340603000000"   /* 相山区 */
#define LIESHAN "340604000000"     /* 烈山区 */
#define SUIXI "340621000000"       /* 濉溪县 */
#define GAOYUE "340602001000"      /* 高岳街道 */
#define XIANGNAN "340603001000"    /* 相南街道 */
#define SUIXI_TOWN "340621100000"  /* 濉溪镇 */
#define SHUINICHANG "340602001004" /* 水泥厂社区 */
#define XUJI "340602001200"        /* 徐暨村 */
#define CHUNQIU "340603001004"     /* 春秋社区 */
#define GRID "340602001004001"

#define P_CITY CITY
#define P_DUJI CITY "/" DUJI
#define P_XIANGSHAN CITY "/" XIANGSHAN
#define P_LIESHAN CITY "/" LIESHAN
#define P_GAOYUE P_DUJI "/" GAOYUE
#define P_XIANGNAN P_XIANGSHAN "/" XIANGNAN
#define P_SHUINICHANG P_GAOYUE "/" SHUINICHANG
#define P_CHUNQIU P_XIANGNAN "/" CHUNQIU
#define P_GRID P_SHUINICHANG "/" GRID

static void test_level_from_code(void **state)
{
	(void)state;
	assert_int_equal(cw_region_code_level(CITY), CW_LEVEL_CITY);
	assert_int_equal(cw_region_code_level(DUJI), CW_LEVEL_DISTRICT);
	assert_int_equal(cw_region_code_level(XIANGSHAN), CW_LEVEL_DISTRICT);
	assert_int_equal(cw_region_code_level(SUIXI), CW_LEVEL_DISTRICT);
	assert_int_equal(cw_region_code_level(XIANGNAN), CW_LEVEL_TOWN);
	assert_int_equal(cw_region_code_level(SUIXI_TOWN), CW_LEVEL_TOWN);
	assert_int_equal(cw_region_code_level(SHUINICHANG), CW_LEVEL_VILLAGE);
	assert_int_equal(cw_region_code_level(XUJI), CW_LEVEL_VILLAGE);
	assert_int_equal(cw_region_code_level("340621100001"), CW_LEVEL_VILLAGE);
	assert_int_equal(cw_region_code_level(GRID), CW_LEVEL_GRID);
	assert_int_equal(cw_region_code_level("340603001004999"), CW_LEVEL_GRID);
}

static void test_level_from_invalid_code(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "34060000000",      /* 11 digits */
	    "3406000000000",    /* 13 digits */
	    "34060200100400",   /* 14 digits */
	    "3406020010040001", /* 16 digits */
	    "34060300000a",     /* a letter */
	    "ABCDEFGHIJKL",
	    "34060300000 ",
	    " 34060300000",
	    "-34060300000",
	    "340603",           /* 6 digits */
	    "",
	    "340000000000",     /* a province, not a city */
	    "000000000000",
	    "000600000000",     /* zero province */
	    "340600001000",     /* town with a zero county */
	    "340600000004",     /* village with zero county and town */
	    "340603000004",     /* village with a zero town */
	    "340602001004000",  /* grid sequence 000 */
	    "340602001000001",  /* grid under a zero village */
	    "340600000000001",  /* grid under a city */
	    "３４０６００００００００",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (cw_region_code_level(bad[i]) != CW_LEVEL_INVALID)
			fail_msg("code \"%s\" has a level", bad[i]);
	assert_int_equal(cw_region_code_level(NULL), CW_LEVEL_INVALID);
}

static void assert_parent(const char *code, const char *parent)
{
	char out[CW_REGION_CODE_MAX];
	memset(out, 'X', sizeof out);
	assert_true(cw_region_code_parent(code, out));
	assert_string_equal(out, parent);
}

static void test_code_parent(void **state)
{
	(void)state;
	assert_parent(CITY, "");
	assert_parent(XIANGSHAN, CITY);
	assert_parent(SUIXI, CITY);
	assert_parent(XIANGNAN, XIANGSHAN);
	assert_parent(SUIXI_TOWN, SUIXI);
	assert_parent(SHUINICHANG, GAOYUE);
	assert_parent(XUJI, GAOYUE);
	assert_parent(CHUNQIU, XIANGNAN);
	assert_parent(GRID, SHUINICHANG);
	assert_parent("340603001004999", CHUNQIU);

	char out[CW_REGION_CODE_MAX] = "untouched";
	assert_false(cw_region_code_parent("340000000000", out));
	assert_false(cw_region_code_parent("340602001004000", out));
	assert_false(cw_region_code_parent("34060300000", out));
	assert_false(cw_region_code_parent("", out));
	assert_false(cw_region_code_parent(NULL, out));
}

static void test_check_new_ok(void **state)
{
	(void)state;
	assert_int_equal(cw_region_check_new(CITY, "", CW_LEVEL_INVALID), CW_EC_OK);
	assert_int_equal(cw_region_check_new(CITY, NULL, CW_LEVEL_INVALID), CW_EC_OK);
	assert_int_equal(cw_region_check_new(XIANGSHAN, CITY, CW_LEVEL_CITY), CW_EC_OK);
	assert_int_equal(cw_region_check_new(SUIXI, CITY, CW_LEVEL_CITY), CW_EC_OK);
	assert_int_equal(cw_region_check_new(XIANGNAN, XIANGSHAN, CW_LEVEL_DISTRICT), CW_EC_OK);
	assert_int_equal(cw_region_check_new(SUIXI_TOWN, SUIXI, CW_LEVEL_DISTRICT), CW_EC_OK);
	assert_int_equal(cw_region_check_new(SHUINICHANG, GAOYUE, CW_LEVEL_TOWN), CW_EC_OK);
	assert_int_equal(cw_region_check_new(XUJI, GAOYUE, CW_LEVEL_TOWN), CW_EC_OK);
	assert_int_equal(cw_region_check_new(GRID, SHUINICHANG, CW_LEVEL_VILLAGE), CW_EC_OK);
}

static void test_check_new_rejects(void **state)
{
	(void)state;
	const enum cw_ec bad = CW_EC_INVALID_REGION_CODE;
	/* Invalid codes, whatever the parent. */
	assert_int_equal(cw_region_check_new("34060300000", CITY, CW_LEVEL_CITY), bad);
	assert_int_equal(cw_region_check_new("340000000000", "", CW_LEVEL_INVALID), bad);
	assert_int_equal(cw_region_check_new("340600001000", CITY, CW_LEVEL_CITY), bad);
	assert_int_equal(cw_region_check_new("340602001004000", SHUINICHANG, CW_LEVEL_VILLAGE),
			 bad);
	assert_int_equal(cw_region_check_new(NULL, CITY, CW_LEVEL_CITY), bad);
	/* A city has no parent. */
	assert_int_equal(cw_region_check_new(CITY, "340000000000", CW_LEVEL_INVALID), bad);
	assert_int_equal(cw_region_check_new(CITY, CITY, CW_LEVEL_CITY), bad);
	/* Digits that disagree with the parent's. */
	assert_int_equal(cw_region_check_new(XIANGSHAN, "340500000000", CW_LEVEL_CITY), bad);
	assert_int_equal(cw_region_check_new(XIANGNAN, DUJI, CW_LEVEL_DISTRICT), bad);
	assert_int_equal(cw_region_check_new(SHUINICHANG, XIANGNAN, CW_LEVEL_TOWN), bad);
	assert_int_equal(cw_region_check_new(GRID, CHUNQIU, CW_LEVEL_VILLAGE), bad);
	/* Skipping a level, even when the digits would allow it. */
	assert_int_equal(cw_region_check_new(XIANGNAN, CITY, CW_LEVEL_CITY), bad);
	assert_int_equal(cw_region_check_new(GRID, GAOYUE, CW_LEVEL_TOWN), bad);
	assert_int_equal(cw_region_check_new(SHUINICHANG, DUJI, CW_LEVEL_DISTRICT), bad);
	/* The right parent code with the wrong level for it. */
	assert_int_equal(cw_region_check_new(XIANGSHAN, CITY, CW_LEVEL_DISTRICT), bad);
	assert_int_equal(cw_region_check_new(XIANGNAN, XIANGSHAN, CW_LEVEL_CITY), bad);
	assert_int_equal(cw_region_check_new(GRID, SHUINICHANG, CW_LEVEL_TOWN), bad);
	/* A region below the city needs a parent. */
	assert_int_equal(cw_region_check_new(XIANGSHAN, NULL, CW_LEVEL_CITY), bad);
	assert_int_equal(cw_region_check_new(XIANGSHAN, "", CW_LEVEL_CITY), bad);
	assert_int_equal(cw_region_check_new(XIANGSHAN, "", CW_LEVEL_INVALID), bad);
	/* A region under itself. */
	assert_int_equal(cw_region_check_new(XIANGSHAN, XIANGSHAN, CW_LEVEL_DISTRICT), bad);
}

static void test_check_move(void **state)
{
	(void)state;
	const enum cw_ec ok = CW_EC_OK, bad = CW_EC_INVALID_REGION_MOVE;
	/* A town moves to another district; a village to another town. */
	assert_int_equal(cw_region_check_move(CW_LEVEL_TOWN, P_XIANGNAN, CW_LEVEL_DISTRICT, P_LIESHAN),
			 ok);
	assert_int_equal(cw_region_check_move(CW_LEVEL_VILLAGE, P_CHUNQIU, CW_LEVEL_TOWN, P_GAOYUE),
			 ok);
	assert_int_equal(cw_region_check_move(CW_LEVEL_GRID, P_GRID, CW_LEVEL_VILLAGE, P_CHUNQIU), ok);
	assert_int_equal(cw_region_check_move(CW_LEVEL_DISTRICT, P_DUJI, CW_LEVEL_CITY, P_CITY), ok);

	/* Wrong levels: to a parent of the same level, two levels up, or below. */
	assert_int_equal(cw_region_check_move(CW_LEVEL_TOWN, P_XIANGNAN, CW_LEVEL_TOWN, P_GAOYUE),
			 bad);
	assert_int_equal(cw_region_check_move(CW_LEVEL_TOWN, P_XIANGNAN, CW_LEVEL_CITY, P_CITY), bad);
	assert_int_equal(cw_region_check_move(CW_LEVEL_TOWN, P_XIANGNAN, CW_LEVEL_VILLAGE,
					      P_SHUINICHANG),
			 bad);
	assert_int_equal(cw_region_check_move(CW_LEVEL_GRID, P_GRID, CW_LEVEL_TOWN, P_XIANGNAN), bad);
	assert_int_equal(cw_region_check_move(CW_LEVEL_VILLAGE, P_CHUNQIU, CW_LEVEL_INVALID, ""),
			 bad);

	/* The city never moves, whatever it is offered. */
	assert_int_equal(cw_region_check_move(CW_LEVEL_CITY, P_CITY, CW_LEVEL_INVALID, ""), bad);
	assert_int_equal(cw_region_check_move(CW_LEVEL_CITY, P_CITY, CW_LEVEL_CITY, "340500000000"),
			 bad);

	/* Cycles: under itself or anything in its own subtree, even when the levels
	 * stored for that parent would fit. */
	assert_int_equal(cw_region_check_move(CW_LEVEL_TOWN, P_XIANGNAN, CW_LEVEL_DISTRICT,
					      P_XIANGNAN "/" CHUNQIU),
			 bad);
	assert_int_equal(cw_region_check_move(CW_LEVEL_VILLAGE, P_CHUNQIU, CW_LEVEL_TOWN, P_CHUNQIU),
			 bad);
	assert_int_equal(cw_region_check_move(CW_LEVEL_DISTRICT, P_DUJI, CW_LEVEL_CITY,
					      P_SHUINICHANG),
			 bad);
}

static void test_scope_contains(void **state)
{
	(void)state;
	/* Equal and below. */
	assert_true(cw_scope_contains(P_CITY, P_CITY));
	assert_true(cw_scope_contains(P_XIANGSHAN, P_XIANGSHAN));
	assert_true(cw_scope_contains(P_CITY, P_XIANGSHAN));
	assert_true(cw_scope_contains(P_CITY, P_GRID));
	assert_true(cw_scope_contains(P_DUJI, P_GRID));
	assert_true(cw_scope_contains(P_SHUINICHANG, P_GRID));
	/* Above, beside, elsewhere. */
	assert_false(cw_scope_contains(P_XIANGSHAN, P_CITY));
	assert_false(cw_scope_contains(P_GRID, P_SHUINICHANG));
	assert_false(cw_scope_contains(P_XIANGSHAN, P_DUJI));
	assert_false(cw_scope_contains(P_XIANGSHAN, P_GRID));
	assert_false(cw_scope_contains(P_CHUNQIU, P_GRID));
	/* A sibling whose path starts with the scope's text is not inside it. */
	assert_false(cw_scope_contains("3406/34060", "3406/340603"));
	assert_false(cw_scope_contains("3406/34060", "3406/340603/340603001"));
	assert_true(cw_scope_contains("3406/34060", "3406/34060/340603001"));
	assert_false(cw_scope_contains(P_SHUINICHANG, P_SHUINICHANG "001"));
	/* An empty or missing scope sees nothing, not everything. */
	assert_false(cw_scope_contains("", P_CITY));
	assert_false(cw_scope_contains("", ""));
	assert_false(cw_scope_contains(NULL, P_CITY));
	assert_false(cw_scope_contains(P_CITY, NULL));
	assert_false(cw_scope_contains(P_CITY, ""));
}

static void test_child_path(void **state)
{
	(void)state;
	char out[CW_REGION_PATH_MAX];
	cw_region_child_path("", CITY, out, sizeof out);
	assert_string_equal(out, P_CITY);
	cw_region_child_path(NULL, CITY, out, sizeof out);
	assert_string_equal(out, P_CITY);
	cw_region_child_path(P_CITY, XIANGSHAN, out, sizeof out);
	assert_string_equal(out, P_XIANGSHAN);
	/* The deepest path fits in CW_REGION_PATH_MAX and is contained by its ancestors. */
	cw_region_child_path(P_SHUINICHANG, GRID, out, sizeof out);
	assert_string_equal(out, P_GRID);
	assert_true(cw_scope_contains(P_DUJI, out));
	/* A short buffer is cut, never overrun. */
	char small[8];
	cw_region_child_path(P_CITY, XIANGSHAN, small, sizeof small);
	assert_string_equal(small, "3406000");
}

static void test_level_names(void **state)
{
	(void)state;
	static const char *const names[] = {"city", "district", "town", "village", "grid"};
	for (int i = 0; i < CW_LEVEL__COUNT; i++) {
		assert_string_equal(cw_level_name((enum cw_level)i), names[i]);
		assert_int_equal(cw_level_parse(names[i]), i);
	}
	assert_null(cw_level_name(CW_LEVEL_INVALID));
	assert_null(cw_level_name(CW_LEVEL__COUNT));
	assert_int_equal(cw_level_parse("province"), CW_LEVEL_INVALID);
	assert_int_equal(cw_level_parse(""), CW_LEVEL_INVALID);
	assert_int_equal(cw_level_parse("grids"), CW_LEVEL_INVALID);
	assert_int_equal(cw_level_parse("gri"), CW_LEVEL_INVALID);
	assert_int_equal(cw_level_parse(NULL), CW_LEVEL_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_level_from_code),
	    cmocka_unit_test(test_level_from_invalid_code),
	    cmocka_unit_test(test_code_parent),
	    cmocka_unit_test(test_check_new_ok),
	    cmocka_unit_test(test_check_new_rejects),
	    cmocka_unit_test(test_check_move),
	    cmocka_unit_test(test_scope_contains),
	    cmocka_unit_test(test_child_path),
	    cmocka_unit_test(test_level_names),
	};
	return cmocka_run_group_tests_name("core_region", tests, NULL, NULL);
}
