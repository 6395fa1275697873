/**
 * The API's messages in English: the source of every message key and of its parameters. The
 * standard texts are Django REST Framework's own, word for word (existing clients show them).
 */
export const en = {
  // Validation (DRF's serializer fields)
  required: "This field is required.",
  not_null: "This field may not be null.",
  not_a_string: "Not a valid string.",
  not_an_integer: "A valid integer is required.",
  not_a_boolean: "Must be a valid boolean.",
  not_a_list: (p: { type: string }) => `Expected a list of items but got type "${p.type}".`,
  not_a_dictionary: (p: { type: string }) =>
    `Invalid data. Expected a dictionary, but got ${p.type}.`,
  invalid_value: "Invalid value.",
  blank: "This field may not be blank.",
  string_too_short: (p: { min: number }) => `Ensure this field has at least ${p.min} characters.`,
  string_too_long: (p: { max: number }) =>
    `Ensure this field has no more than ${p.max} characters.`,
  list_empty: "This list may not be empty.",
  list_too_short: (p: { min: number }) => `Ensure this field has at least ${p.min} elements.`,
  list_too_long: (p: { max: number }) => `Ensure this field has no more than ${p.max} elements.`,
  number_too_small: (p: { min: number }) =>
    `Ensure this value is greater than or equal to ${p.min}.`,
  number_too_big: (p: { max: number }) => `Ensure this value is less than or equal to ${p.max}.`,
  invalid_email: "Enter a valid email address.",
  invalid_url: "Enter a valid URL.",
  invalid_datetime:
    "Datetime has wrong format. Use this format instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]](Z|+HH:MM|-HH:MM); the time zone is required.",
  invalid_format: "Enter a valid value.",
  invalid_choice: (p: { input: string }) => `"${p.input}" is not a valid choice.`,
  invalid_language: (p: { input: string; languages: string }) =>
    `"${p.input}" is not a valid choice: the languages are ${p.languages}.`,
  pk_does_not_exist: (p: { pk: string }) => `Invalid pk "${p.pk}" - object does not exist.`,
  slug_does_not_exist: (p: { slug: string; value: string }) =>
    `Object with ${p.slug}=${p.value} does not exist.`,
  control_characters: "Control characters and line breaks are not allowed.",
  null_characters: "Null characters are not allowed.",
  // Requests
  json_parse_error: "JSON parse error.",
  form_parse_error: "Form parse error.",
  bad_request: "Bad request.",
  unsupported_media_type: (p: { type: string }) => `Unsupported media type "${p.type}" in request.`,
  missing_content_type: "Missing Content-Type header.",
  body_too_large: (p: { bytes: number }) => `Request body is larger than ${p.bytes} bytes.`,
  not_found: "Not found.",
  method_not_allowed: (p: { method: string }) => `Method "${p.method}" not allowed.`,
  throttled: (p: { seconds: number }) =>
    `Request was throttled. Expected available in ${p.seconds} seconds.`,
  too_many_registrations: (p: { seconds: number }) =>
    `Too many registrations. Expected available in ${p.seconds} seconds.`,
  too_many_submissions: (p: { seconds: number }) =>
    `Too many submissions. Expected available in ${p.seconds} seconds.`,
  database_unavailable: "The service can't store data right now. Try again shortly.",
  internal_error: "Internal server error",
  not_ready_database: "Not ready: the database can't be read.",
  not_ready_grading_queue: "Not ready: the grading queue can't be read.",
  // Authentication
  not_authenticated: "Authentication credentials were not provided.",
  token_not_valid: "Given token not valid for any token type",
  token_invalid_or_expired: "Token is invalid or expired",
  token_blacklisted: "Token is blacklisted",
  no_active_account: "No active account found with the given credentials",
  invalid_authorization_header: "Invalid Authorization header.",
  unsupported_authorization_scheme: "Unsupported authorization scheme.",
  invalid_basic_header: "Invalid basic header. Credentials not correctly base64 encoded.",
  invalid_username_password: "Invalid username/password.",
  invalid_runner_token: "Invalid runner token.",
  // Permissions
  permission_denied: "You do not have permission to perform this action.",
  only_owner_changes_roles: "Only the organization's owner can change roles.",
  only_teachers_manage_tests: "Only teachers can manage tests.",
  creator_no_longer_teacher: "You created this test, but only teachers can manage tests.",
  only_creator_manages_test: "Only the creator of a test can manage it.",
  only_teachers_manage_groups: "Only teachers can manage groups.",
  only_unaffiliated_teacher_creates_organization:
    "Only a teacher who is not in an organization can create one.",
  test_not_open: "This test is not open to you.",
  only_creator_sees_correct_answers:
    "Only the creator of the test can see which answers are correct.",
  test_opens_at: (p: { time: string }) => `This test opens at ${p.time}.`,
  test_closed_at: (p: { time: string }) => `This test closed at ${p.time}.`,
  no_attempts_left: "No attempts left.",
  start_test_first: "Start the test first.",
  // Users, organizations, groups
  email_taken: "A user with this email already exists.",
  role_unchangeable: "You can't change your role.",
  owner_stays_teacher: "The owner of an organization can't stop being a teacher.",
  organization_unchangeable: "You can't change your organization.",
  teacher_cannot_join:
    "A teacher can't join an organization: create one, or ask its owner to promote you.",
  teacher_cannot_join_on_registration:
    "A teacher can't join an organization on registration: create one, or ask its owner to promote you.",
  password_too_short: "This password is too short. It must contain at least 8 characters.",
  password_numeric: "This password is entirely numeric.",
  password_like_email: "The password is too similar to the email.",
  organization_name_taken: "An organization with this name already exists.",
  group_name_taken: "A group with this name already exists in your organization.",
  not_in_organization: (p: { pk: string }) =>
    `Invalid pk "${p.pk}" - no such user in this organization.`,
  // Tests and their questions
  field_not_allowed: (p: { type: string }) => `This field is not allowed for ${p.type} questions.`,
  radio_needs_two_variants: "A radio question needs at least 2 variants.",
  radio_needs_one_correct: "A radio question needs exactly one correct variant.",
  needs_a_variant: (p: { type: string }) => `A ${p.type} question needs at least 1 variant.`,
  needs_a_correct_variant: (p: { type: string }) =>
    `A ${p.type} question needs at least one correct variant.`,
  variant_texts_unique: "Variant texts must be unique within a question.",
  question_numbers_unique: "Each question of a test needs its own number_in_test.",
  window_order: "closes_at must be later than opens_at.",
  questions_frozen:
    "This test has completions: its questions can't be replaced. Create a new test instead.",
  // Submissions
  idempotency_key_format: "Idempotency-Key must be 1 to 255 printable ASCII characters.",
  idempotency_key_reused: "This Idempotency-Key was already used for a different submission.",
  grader_busy: "The grader is busy. Try again shortly.",
  too_many_waiting_answers:
    "Too many of your code answers are waiting for the grader. Try again shortly.",
  variant_id_or_text: "Give the variant's id or text.",
  variant_not_of_question: "This variant does not belong to the question.",
  type_answer_as_text: "Type the answer as text.",
  question_answered_twice: "This question is answered more than once.",
  // What the grader writes into runtime_errors
  grading_line: (p: { line: number }) => `Line ${p.line}`,
  grading_time_limit: (p: { seconds: number }) => `Time limit exceeded (${p.seconds} s)`,
  grading_output_limit: "Output limit exceeded",
  grading_memory_limit: "Memory limit exceeded",
  grading_stopped_early:
    "The program stopped before the tests finished; exiting early never passes a test.",
  grading_exited_early: "The program exited early (SystemExit); exiting never passes a test.",
  grading_tests_did_not_run: (p: { count: number; total: number }) =>
    `${p.count} of ${p.total} tests did not run.`,
  grading_testing_code_unfinished: "The testing code did not finish:",
  grading_testing_code_invalid: "The testing code is invalid:",
  grading_nested_too_deeply: "The testing code is nested too deeply to plan.",
  grading_unsupported_language: (p: { language: string }) => `Unsupported language: ${p.language}`,
  grading_judge_timeout: (p: { seconds: number }) =>
    `The answer's results could not be judged within ${p.seconds} s.`,
  grading_plan_timeout: (p: { seconds: number }) =>
    `The testing code's results could not be read within ${p.seconds} s.`,
  grading_too_complex: "The test is too complex to judge.",
  grading_not_judged: "The test could not be judged.",
  grading_value_not_reported: (p: { source: string }) =>
    `The answer's run did not report the value of ${p.source}.`,
  grading_value_not_plain: (p: { source: string; type: string }) =>
    `The value of ${p.source} is not plain data (${p.type}):`,
  grading_expected_not_plain: (p: { type: string }) =>
    `The test compares a value that is not plain data (${p.type}):`,
  grading_plain_python:
    "tests compare numbers, strings, booleans, None, and lists, tuples, dicts and sets of them.",
  grading_plain_javascript:
    "tests compare undefined, null, booleans, numbers, bigints, strings, and arrays, plain objects, Maps, Sets and Dates of them.",
  grading_expected_missing: "The test's expected value is missing.",
  grading_regexp_too_slow: (p: { pattern: string }) =>
    `The regular expression /${p.pattern}/ took too long to match.`,
  grading_thrown_not_reported: "The answer's run did not report what the function threw.",
  grading_threw_other: (p: { thrown: string; expected: string }) =>
    `The function threw ${p.thrown}, not a ${p.expected}.`,
  grading_threw_value_other: (p: { expected: string }) =>
    `The function threw a value, not a ${p.expected}.`,
  grading_throws_validation_function:
    "assert.throws can be judged against an error class, a RegExp or an object of the error's properties, not a validation function.",
  grading_throws_matcher_kind:
    "The error assert.throws expects must be a class, a RegExp or an object.",
  grading_own_assert:
    "it may not define its own assert (each top-level assert call is a test case).",
  grading_throws_depends_on_answer: (p: { line: number }) =>
    `line ${p.line}: the error assert.throws expects must not depend on the answer.`,
  grading_spread_arguments: (p: { line: number }) =>
    `line ${p.line}: an assert's arguments can't be spread.`,
  grading_missing_arguments: (p: { line: number; method: string }) =>
    `line ${p.line}: assert.${p.method} is missing arguments.`,
  grading_unavailable: (p: { attempts: number; reason: string }) =>
    `The grader was unavailable: the answer could not be graded after ${p.attempts} attempts (${p.reason}).`,
  grading_unavailable_timeout: (p: { attempts: number }) =>
    `The grader was unavailable: the answer could not be graded after ${p.attempts} attempts (the runner did not report in time).`,
  grading_late: "Not graded: submitted after the deadline.",
};
