// ==== Place for the consumer's test of the JUnit part (dev.tensorj.junit) ====
//
// Once tensorj ships its JUnit 5 extension (issue 16, item 1), a test here uses it as a user does:
// the device source for a @ParameterizedTest, the leak check, the placement assertions, the STRICT
// idle-GPU annotation and the timing helper, each on the cpu (cuda cases reported as skipped with
// their reason). Its dependency goes where the consumer's pom.xml marks it.
package dev.tensorj.it;
