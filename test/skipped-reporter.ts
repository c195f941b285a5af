/**
 * Lists, after vitest's summary, every test skipped with a reason (`context.skip(reason)`, see test/requirements.ts),
 * one line each, so that a run on a machine without the seeds or a browser says what it did not prove.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SkippedReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const lines: string[] = [];
    for (const module of testModules)
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'skipped' && result.note)
          lines.push(`  ${module.relativeModuleId} > ${test.fullName}: ${result.note}`);
      }
    if (lines.length === 0) return;
    process.stdout.write(
      `\n${lines.length} test(s) skipped for want of what they need (PCMBN_REQUIRE_ALL=1 makes them fail):\n` +
        lines.join('\n') +
        '\n',
    );
  }
}
