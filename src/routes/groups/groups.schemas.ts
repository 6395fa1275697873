import { z } from "@hono/zod-openapi";
import type { GroupRow, GroupWithMembers } from "../../db/queries/groups";
import { multiLineText, singleLineText } from "../../http/text-input";
import { MemberSchema, toMemberOutput } from "../users/users.schemas";

export const GroupSummarySchema = z
  .object({ id: z.number().int(), name: z.string(), description: z.string() })
  .openapi("GroupSummary", { example: { id: 3, name: "11A", description: "Class of 2027" } });

export const GroupSchema = GroupSummarySchema.extend({ members: z.array(MemberSchema) }).openapi(
  "Group",
  {
    example: {
      id: 3,
      name: "11A",
      description: "Class of 2027",
      members: [
        {
          id: 2,
          email: "anna@example.com",
          first_name: "Anna",
          last_name: "Petrova",
          photo: null,
          is_teacher: false,
        },
      ],
    },
  },
);

export const CreateGroupBodySchema = z.object({
  name: z.string().check(singleLineText()).trim().min(1).max(150).openapi({ example: "11A" }),
  description: z
    .string()
    .check(multiLineText())
    .trim()
    .max(2000)
    .default("")
    .openapi({ example: "Class of 2027" }),
});

export const GroupMemberBodySchema = z.object({
  user: z.number().int().positive().openapi({ example: 2 }),
});

export const toGroupSummary = (group: GroupRow) => ({
  id: group.id,
  name: group.name,
  description: group.description,
});

export const toGroupOutput = (group: GroupWithMembers) => ({
  ...toGroupSummary(group),
  members: group.members.map(toMemberOutput),
});
