import { z } from "zod";
import { maxPasswordLength, minPasswordLength } from "@/lib/auth/password";
import { roleSchema } from "@/lib/auth/roles";
import { safeName } from "@/lib/text/unsafe-text";

// Letters, digits, spaces and the punctuation real names use; markup and SQL fragments are refused.
const namePattern = /^[\p{L}\p{M}\p{N} .,'’()-]+$/u;

export const emailSchema = z
  .string({ error: "Email is required." })
  .trim()
  .toLowerCase()
  .min(1, "Email is required.")
  .max(254, "Email must be at most 254 characters.")
  .pipe(z.email({ error: "Enter a valid email address, such as ada@example.com." }));

const nameSchema = z
  .string({ error: "Name is required." })
  .trim()
  .min(1, "Name is required.")
  .max(100, "Name must be at most 100 characters.")
  .regex(namePattern, "Name may contain letters, digits, spaces and . , ' ( ) - only.")
  .pipe(safeName("Name"));

export const passwordSchema = z
  .string({ error: "Password must be text." })
  .min(minPasswordLength, `Password must be at least ${minPasswordLength} characters.`)
  .max(maxPasswordLength, `Password must be at most ${maxPasswordLength} characters.`);

const rolesSchema = z
  .array(roleSchema, { error: "Roles must be a list of admin, owner, reviewer, approver." })
  .min(1, "Choose at least one role.")
  .transform((roles) => [...new Set(roles)]);

const userIdSchema = z.uuid({ error: "Unknown user." });

export const createUserInput = z.object({
  email: emailSchema,
  name: nameSchema,
  // Empty means "generate one and show it once".
  password: z.union([z.literal("").transform(() => undefined), passwordSchema]).optional(),
  roles: rolesSchema,
});

export const updateRolesInput = z.object({ userId: userIdSchema, roles: rolesSchema });
export const setDisabledInput = z.object({ userId: userIdSchema, disabled: z.boolean() });
export const changePasswordInput = z.object({
  currentPassword: z.string().min(1, "Enter your current password."),
  newPassword: passwordSchema,
});
