# tflint's configuration for terraform/ (scripts/validate runs it on every module, env root and
# example; check `tflint`). Only the Terraform rule set bundled in the pinned tflint is used:
# nothing is downloaded (`tflint --init` is never run) and validation refuses any other plugin,
# a plugin_dir or a varfile here. Module calls are not followed (`call_module_type = "none"`,
# also forced on the command line): each directory is linted on its own.
config {
  call_module_type = "none"
}

plugin "terraform" {
  enabled = true
  preset  = "recommended"
}

# Beyond `recommended`: names, documented and typed interfaces, and the standard module layout.
rule "terraform_naming_convention" {
  enabled = true
}

rule "terraform_documented_variables" {
  enabled = true
}

rule "terraform_documented_outputs" {
  enabled = true
}

rule "terraform_typed_variables" {
  enabled = true
}

rule "terraform_module_pinned_source" {
  enabled = true
}

rule "terraform_module_version" {
  enabled = true
}

rule "terraform_unused_declarations" {
  enabled = true
}

rule "terraform_deprecated_index" {
  enabled = true
}

rule "terraform_deprecated_interpolation" {
  enabled = true
}

rule "terraform_deprecated_lookup" {
  enabled = true
}

rule "terraform_comment_syntax" {
  enabled = true
}

rule "terraform_standard_module_structure" {
  enabled = true
}
