variable "region" {
  description = "Region"
  type        = string
  default     = "us-west-2"
}
