import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type RequestOptions } from "./api";
import { createTestApp, type TestApp } from "./app";
import { createWorld, type TestUser, type World } from "./fixtures";

/**
 * The callers of CONTRACT §3: anonymous, a user without organization, a student and teachers of
 * organization A (`teacher` owns A and creates its objects, `colleague` is another teacher there),
 * and the owner of organization B (full rights, wrong tenant).
 */
export type Role = "anon" | "noOrg" | "student" | "colleague" | "teacher" | "otherOrg";

const callerOf: Record<Role, (world: World) => TestUser | undefined> = {
  anon: () => undefined,
  noOrg: (world) => world.noOrg,
  student: (world) => world.student,
  colleague: (world) => world.colleague,
  teacher: (world) => world.teacher,
  otherOrg: (world) => world.otherTeacher,
};

export interface MatrixRequest {
  method: string;
  path: string;
  options?: Omit<RequestOptions, "auth">;
}

export interface RoleMatrixCase<Fixture> {
  /** Creates what the request acts on, afresh for every role (the request may destroy it). */
  arrange?: (t: TestApp, world: World) => Promise<Fixture>;
  request: (fixture: Fixture, world: World) => MatrixRequest;
  expected: Record<Role, number>;
}

/** One test per role: the same request, sent as each caller, answers the expected status. */
export function describeRoleMatrix<Fixture = undefined>(
  name: string,
  matrix: RoleMatrixCase<Fixture>,
) {
  describe(`${name} — role matrix`, () => {
    let t: TestApp;
    let world: World;
    beforeAll(async () => {
      t = await createTestApp();
      world = await createWorld(t);
    });
    afterAll(() => t.close());

    for (const [role, status] of Object.entries(matrix.expected) as [Role, number][]) {
      it(`answers ${status} to ${role}`, async () => {
        const fixture = (await matrix.arrange?.(t, world)) as Fixture;
        const { method, path, options } = matrix.request(fixture, world);
        const caller = callerOf[role](world);
        const response = await call(t, method, path, {
          ...options,
          ...(caller ? { auth: caller.auth } : {}),
        });
        expect(response.status, JSON.stringify(response.body)).toBe(status);
        if (status >= 400) expect(response.body).toBeTypeOf("object");
        if (status === 401)
          expect(response.headers.get("www-authenticate")).toBe('Bearer realm="api"');
        if (status === 403 || status === 404) expect(typeof response.body.detail).toBe("string");
      });
    }
  });
}
