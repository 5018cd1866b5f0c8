package cmd

import "github.com/spf13/cobra"

func newReportNodesCmd(a *app) *cobra.Command { return &cobra.Command{Use: "nodes", Hidden: true} }
