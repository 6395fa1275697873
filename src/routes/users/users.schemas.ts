import { z } from "@hono/zod-openapi";
import type { OrganizationRow, UserRow, UserWithOrganization } from "../../db/queries/users";
import { singleLineText, singleLineTextPattern } from "../../http/text-input";
import { addSchemaIssue, schemaMessage } from "../../http/validation-messages";

export const OrganizationSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    owner: z.number().int(),
  })
  .openapi("Organization", { example: { id: 1, name: "School 42", description: "", owner: 1 } });

/** A user inside another object (group members, a completion's student): no organization. */
export const MemberSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    photo: z.string().nullable(),
    is_teacher: z.boolean(),
  })
  .openapi("Member");

export const UserSchema = MemberSchema.extend({
  organization: OrganizationSchema.nullable(),
}).openapi("User", {
  example: {
    id: 2,
    email: "anna@example.com",
    first_name: "Anna",
    last_name: "Petrova",
    photo: null,
    is_teacher: false,
    organization: { id: 1, name: "School 42", description: "", owner: 1 },
  },
});

export type OrganizationOutput = z.infer<typeof OrganizationSchema>;
export type MemberOutput = z.infer<typeof MemberSchema>;
export type UserOutput = z.infer<typeof UserSchema>;

export function toOrganizationOutput(organization: OrganizationRow): OrganizationOutput {
  return {
    id: organization.id,
    name: organization.name,
    description: organization.description,
    owner: organization.ownerId,
  };
}

export function toMemberOutput(user: UserRow): MemberOutput {
  return {
    id: user.id,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    photo: user.photo,
    is_teacher: user.isTeacher,
  };
}

export function toUserOutput(user: UserWithOrganization): UserOutput {
  return {
    ...toMemberOutput(user),
    organization: user.organization ? toOrganizationOutput(user.organization) : null,
  };
}

const name = z.string().check(singleLineText()).trim().min(1).max(150).openapi({ example: "Anna" });
const email = z.string().check(singleLineText()).trim().max(254).pipe(z.email()).openapi({
  type: "string",
  format: "email",
  maxLength: 254,
  pattern: singleLineTextPattern,
  example: "anna@example.com",
});
// The URL check normalizes the value (dropping tabs and line breaks): refuse them before it.
const photo = z
  .string()
  .check(singleLineText())
  .pipe(z.url({ protocol: /^https?$/, hostname: z.regexes.domain }).max(2048))
  .nullable()
  .optional()
  .openapi({ format: "uri", maxLength: 2048, example: "https://example.com/me.png" });
const organizationId = z.number().int().positive().nullable().optional().openapi({ example: 1 });

const password = z
  .string()
  .check(singleLineText())
  .openapi({ example: "correct horse battery" })
  .min(8, schemaMessage("password_too_short"))
  .max(256)
  .refine((value) => !/^\d+$/.test(value), schemaMessage("password_numeric"));

/** The password may not be the email itself (compared without case). */
function passwordDiffersFromEmail(
  body: { email?: string; password?: string },
  ctx: z.core.$RefinementCtx,
) {
  if (
    body.email &&
    body.password &&
    body.password.trim().toLowerCase() === body.email.toLowerCase()
  ) {
    addSchemaIssue(ctx, ["password"], "password_like_email");
  }
}

export const RegisterBodySchema = z
  .object({
    email,
    password,
    first_name: name,
    last_name: name,
    photo,
    organization_id: organizationId,
    is_teacher: z.boolean().default(false),
  })
  .superRefine(passwordDiffersFromEmail)
  .superRefine((body, ctx) => {
    if (body.is_teacher && body.organization_id != null) {
      addSchemaIssue(ctx, [], "teacher_cannot_join_on_registration");
    }
  });

const meFields = {
  email,
  password: password.optional(),
  first_name: name,
  last_name: name,
  photo,
  is_teacher: z.boolean().optional(),
  organization_id: organizationId,
};

export const UpdateMeBodySchema = z.object(meFields).superRefine(passwordDiffersFromEmail);
export const PatchMeBodySchema = z.object(meFields).partial().superRefine(passwordDiffersFromEmail);
export type UpdateMeBody = z.infer<typeof PatchMeBodySchema>;

export const SetRoleBodySchema = z.object({ is_teacher: z.boolean() });
