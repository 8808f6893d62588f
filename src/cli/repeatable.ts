/** The argument parser of a repeatable commander option (`--vex A --vex B` → `['A', 'B']`). */
export function repeatable(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
